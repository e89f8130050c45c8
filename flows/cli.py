"""`canvas-etl` command line. Heavy imports (Prefect, spaCy, DuckDB) happen inside the commands, so
`canvas-etl amounts` starts fast and never loads a statistical model."""
from __future__ import annotations

import json
import os
import sys
from enum import Enum
from typing import List, Optional

import typer

from flows import DEFAULT_DB, DEFAULT_RAW

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="canvas-etl: business-model-canvas reports (French/English text) -> typed facts in DuckDB.",
    pretty_exceptions_enable=False,
)


class Runner(str, Enum):
    threads = "threads"
    processes = "processes"
    dask = "dask"


class Lang(str, Enum):
    fr = "fr"
    en = "en"


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"canvas-etl: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def ingest(
    paths: List[str] = typer.Argument(None, help="Files or folders to ingest (default: raw/)."),
    db: str = typer.Option(DEFAULT_DB, "--db", help="DuckDB warehouse file."),
    edition: Optional[str] = typer.Option(None, "--edition", help="Edition label for sections that state none (e.g. 'Oct-2025')."),
    runner: Runner = typer.Option(Runner.threads, "--runner", help="Prefect task runner for extraction."),
    dask_address: Optional[str] = typer.Option(None, "--dask-address", help="Existing Dask scheduler (tcp://host:8786); with --runner dask."),
    workers: int = typer.Option(2, "--workers", min=1, help="Parallel extraction workers."),
    no_models: bool = typer.Option(False, "--no-models", help="Rules only: do not load the spaCy statistical models."),
    lock_timeout: float = typer.Option(30.0, "--lock-timeout", help="Seconds to wait for another writer to finish."),
) -> None:
    """Ingest reports into the warehouse. Exit 0: all loaded or unchanged; 1: some input rejected; 2: usage error.

    Example: canvas-etl ingest raw/ --db warehouse/canvas.duckdb
    """
    from flows.run import run_ingest

    if dask_address and runner is not Runner.dask:
        _fail("--dask-address needs --runner dask")
    try:
        summary = run_ingest(
            paths or [DEFAULT_RAW], db=db, edition=edition, runner=runner.value, dask_address=dask_address,
            workers=workers, use_model=not no_models, lock_timeout=lock_timeout,
        )
    except Exception as exc:  # one clear line, not a traceback
        from warehouse.store import WarehouseLocked

        if isinstance(exc, WarehouseLocked):
            _fail(str(exc), 3)
        raise
    _print_summary(summary)
    raise typer.Exit(1 if summary["documents_rejected"] else 0)


def _print_summary(s: dict) -> None:
    typer.echo(
        f"documents: {s['documents_seen']} seen, {s['documents_loaded']} loaded, "
        f"{s['documents_unchanged']} unchanged, {s['documents_rejected']} rejected; "
        f"facts: {s['facts_loaded']}; time: {s['seconds']:.1f} s; run: {s['run_id']}"
    )
    for path, reason in s.get("rejections", []):
        typer.echo(f"rejected: {path}: {reason}")


@app.command()
def amounts(
    lang: Lang = typer.Option(..., "--lang", help="Language of the text: fr or en."),
) -> None:
    """Read one text per line on stdin; write one JSON array of amounts per line (rules only, no models).

    Example: echo "1,6 milliard de dollars" | canvas-etl amounts --lang fr
    """
    from extractors.pipeline import amount_to_json
    from normalizers.amounts import find_amounts

    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip("\n").rstrip("\r")
        found = find_amounts(line, lang.value)
        out.write(json.dumps([amount_to_json(a) for a in found], ensure_ascii=False))
        out.write("\n")
    out.flush()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
