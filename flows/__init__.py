"""Orchestration only: Prefect flows and tasks, the command line. No extraction logic lives here."""
import os

DEFAULT_DB = "warehouse/canvas.duckdb"
DEFAULT_RAW = "raw"

# No network here but the package registries: Prefect's server telemetry would only log errors.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
