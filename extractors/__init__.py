"""Pure-Python extraction: bytes -> Document -> canvas structure -> mentions -> facts.

No Prefect and no DuckDB in this package.
"""
