"""`canvas-etl export`: the facts and documents tables as Parquet or CSV, partitioned by ticker."""
from __future__ import annotations

from enum import Enum
from pathlib import Path

from typing import Optional

import typer

from flows.cli.common import AS_OF_OPTION, DATA_PATH_OPTION, DB_OPTION, OutputFormat, duck_errors, fail, one_line, open_warehouse
from flows.cli.output import write_rows


class ExportFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"


def export(
    fmt: ExportFormat = typer.Option(ExportFormat.parquet, "--format", "-f", help="parquet or csv (with a header row)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write to: OUT/facts/ticker=X/… and OUT/documents/ticker=X/…"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace OUT/facts and OUT/documents if they hold files."),
    db: str = DB_OPTION,
    data_path: Optional[str] = DATA_PATH_OPTION,
    as_of: Optional[str] = AS_OF_OPTION,
) -> None:
    """Export the facts and documents tables as Parquet or CSV, partitioned by ticker.

    Hive layout (OUT/facts/ticker=BABA/data_0.parquet), readable by DuckDB, pandas, polars, Spark...
    Rows without a ticker go to ticker=NULL/.

    Examples:

      canvas-etl export --format parquet --out export/

      duckdb -c "SELECT ticker, count(*) FROM read_parquet('export/facts/*/*.parquet') GROUP BY ALL"
    """
    from warehouse.queries import EXPORT_TABLES, export_table

    targets = {t: out / t for t in EXPORT_TABLES}
    if not overwrite:
        for t, p in targets.items():
            if p.exists() and (not p.is_dir() or any(p.iterdir())):
                fail(f"{p} already exists and is not empty (use --overwrite to replace it)")
    Error = duck_errors()
    summary = []
    with open_warehouse(db, data_path=data_path, as_of=as_of) as con:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"cannot create {out}: {exc.strerror or exc}")
        for table, target in targets.items():
            try:
                rows, parts = export_table(con, table, str(target), fmt.value, overwrite=overwrite)
            except Error as exc:
                fail(f"export of {table} failed: {one_line(exc)}")
            summary.append((table, rows, parts, str(target)))
    write_rows(["table", "rows", "partitions", "written to"], summary, OutputFormat.table)
