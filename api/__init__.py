"""The read API for case systems (FastAPI on uvicorn), audited like the dashboard."""
