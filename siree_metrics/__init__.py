"""SIREE metrics: partner exports checked and stored in DuckDB, and the attainment of every target.

Usable without Streamlit: the command line (``python -m siree_metrics``), the tests and notebooks import it.
"""
