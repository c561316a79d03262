"""Adal's benchmarks, run with ``python -m bench``: see bench/README.md."""
