"""`canvas-etl amounts`: amounts found in text lines (rules only, no models), one JSON array per line."""
from __future__ import annotations

import json
import sys
from enum import Enum

import typer


class Lang(str, Enum):
    fr = "fr"
    en = "en"


def amounts(
    lang: Lang = typer.Option(..., "--lang", help="Language of the text: fr or en."),
) -> None:
    """Read one text per line on stdin; write one JSON array of amounts per line (rules only, no models).

    Example: echo "1,6 milliard de dollars" | canvas-etl amounts --lang fr
    """
    from extractors.records import amount_to_json
    from normalizers.amounts import find_amounts

    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip("\n").rstrip("\r")
        found = find_amounts(line, lang.value)
        out.write(json.dumps([amount_to_json(a) for a in found], ensure_ascii=False))
        out.write("\n")
    out.flush()
