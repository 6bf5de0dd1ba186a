"""The Streamlit dashboard (to come)."""
