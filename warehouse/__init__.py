"""canvas-etl warehouse: DuckDB schema, single-writer loader, analyst views, generated docs.

Pure data layer (no Prefect, no spaCy). See docs/warehouse.md.
"""
from warehouse.store import Warehouse, WarehouseLocked

__all__ = ["Warehouse", "WarehouseLocked"]
