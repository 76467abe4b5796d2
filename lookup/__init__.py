"""Answers questions on the linked index: find a person, see their family's services.

Pure functions over polars frames; never imports Streamlit. Every call a user can
make goes through ``governance.access``, which records it in the audit log first.
"""
