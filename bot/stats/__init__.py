"""Statistics, the chart and CSV exports."""
