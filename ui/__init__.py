"""The Streamlit dashboard: thin pages that read inputs, call plain Python, render."""
