"""canvas-etl warehouse: DuckDB schema, single-writer loader, analyst views, generated docs.

Pure data layer (no Prefect, no spaCy). See docs/warehouse.md.

``Warehouse`` and ``WarehouseLocked`` (warehouse.store) are imported on first use, so that a process that only
builds the Arrow tables (an extraction worker: warehouse.tables) does not load DuckDB.
"""

__all__ = ["Warehouse", "WarehouseLocked"]


def __getattr__(name: str):
    if name in __all__:
        from warehouse import store

        return getattr(store, name)
    raise AttributeError(f"module 'warehouse' has no attribute {name!r}")
