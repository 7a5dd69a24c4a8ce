"""Follow-up: what the portal achieves, counted in the database and never showing small numbers."""
