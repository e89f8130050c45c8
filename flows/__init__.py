"""Orchestration only: Prefect flows and tasks, the command line. No extraction logic lives here."""

DEFAULT_DB = "warehouse/canvas.duckdb"
DEFAULT_RAW = "raw"
