"""Figures out: indicator levels from the SQL in sql/ (levels), attainment and status (attainment), the summary of a
view (summary), chart series (series), budget and submission history (history), all under one set of filters."""
