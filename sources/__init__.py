"""Read agency extracts, check them and map them to the standard record.

``sources.load.load_sources`` is the entry point used by the build;
``python -m sources`` offers ``generate`` (synthetic data) and ``check``.
"""
