"""The Streamlit dashboard: ``streamlit run dashboards/app.py``."""
