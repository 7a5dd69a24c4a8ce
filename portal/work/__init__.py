"""The landing page after login: the work waiting for this person, gathered from the domains."""
