"""The Streamlit glue shared by dashboard.py and pages/: filters in the URL, cached data, theme, words.

Pages read the filters (``ui.page``), call the cached functions in ``ui.data`` (which call siree_metrics)
and draw the pure figures of ``siree_metrics.charts``. Nothing else.
"""
