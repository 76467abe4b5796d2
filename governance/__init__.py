"""Who may see what, and the record that they did: roles, sign-in, the audit log."""
