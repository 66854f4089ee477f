"""Manager dashboard: Streamlit pages over the published warehouse marts.

``streamlit_app.py`` is the entry point (navigation, login, filters), ``app_pages/`` only lay
out, ``data.py`` holds every query, ``i18n.py`` every label and number format.
"""
