"""Region administration: organisations, units, taxonomy and the audit log."""
