"""Shared foundations: typed config, the exception hierarchy, database engines."""
