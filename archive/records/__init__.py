"""What must hold for years: the audit trail (and later fixity, retention, holds)."""
