"""Physical units through pint: the per-language unit lexicon (``data/<lang>/units.toml``: word or abbreviation
-> pint unit), one pint registry (pint's defaults plus ``data/units.txt``), and what a unit is: its canonical
name, its dimension and the factor to the dimension's reference unit.

The registry is built once, lazily (loading pint's definitions takes about half a second), and every unit
is resolved once (``resolve`` is cached, in the process and in a table of the machine's cache, so that most
processes never load pint): the amount normaliser never calls pint, it reads the lexicon, whose values are
canonical names already (a test checks them).

Canonical name: pint's own unit name ("hectoliter", "megawatt_hour", "metric_ton", "square_foot"); a power of
a unit pint has no name for is written "square_<unit>" / "cubic_<unit>" ("square_meter", "cubic_meter"), a
product "<a>_<b>", a quotient "<a>_per_<b>".

Dimensions and reference units (``DIMENSIONS``; ``ref_value`` of a fact = its value in the reference unit):

=============  =========================  ==============================================
dimension      reference unit             examples
=============  =========================  ==============================================
energy         megawatt_hour              kWh, MWh, GWh, TWh
power          megawatt                   kW, MW, GW
volume         cubic_meter                hl (0.1 m³), liter, cbm, oil_barrel
area           square_meter               m², sq ft, hectare (10,000 m²), km²
mass           metric_ton                 g, kg, t, carat
length         kilometer                  km, mile, yard
duration       hour                       ms, s, min, day, week, month, year
data           gigabyte                   byte .. exabyte (pint counts bits as dimensionless)
containers     teu                        TEU / EVP (custom)
points         points                     percentage points, score points; basis_point = 0.01 points (custom)
multiple       times                      "1.9x", "nine times" (custom)
rating         star                       "5 stars" (custom)
compute        gpu_hour                   "GPU hours" (custom)
=============  =========================  ==============================================

Money, percents and counts are no physical quantity: their facts have no dimension and no reference value.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import langdata, machine_cache

__all__ = ["DIMENSIONS", "UnitInfo", "canonical", "lexicon", "reference", "registry", "resolve", "resolve_lexicon"]

DEFINITIONS = langdata.DATA_DIR / "units.txt"

# dimension name -> (pint dimensionality as {base dimension: exponent}, reference unit); "data" is told apart
# from other dimensionless units by its root unit (bit)
DIMENSIONS: dict[str, tuple[dict[str, int], str]] = {
    "energy": ({"[mass]": 1, "[length]": 2, "[time]": -2}, "megawatt_hour"),
    "power": ({"[mass]": 1, "[length]": 2, "[time]": -3}, "megawatt"),
    "volume": ({"[length]": 3}, "cubic_meter"),
    "area": ({"[length]": 2}, "square_meter"),
    "mass": ({"[mass]": 1}, "metric_ton"),
    "length": ({"[length]": 1}, "kilometer"),
    "duration": ({"[time]": 1}, "hour"),
    "data": ({}, "gigabyte"),
    "containers": ({"[containers]": 1}, "teu"),
    "points": ({"[points]": 1}, "points"),
    "multiple": ({"[multiple]": 1}, "times"),
    "rating": ({"[rating]": 1}, "star"),
    "compute": ({"[compute]": 1}, "gpu_hour"),
}


@dataclass(frozen=True, slots=True)
class UnitInfo:
    name: str  # canonical name
    dimension: str | None  # a key of DIMENSIONS, or None for a unit of no known dimension
    ref_unit: str | None  # the dimension's reference unit
    to_ref: float | None  # value in this unit x to_ref = value in ref_unit


@lru_cache(maxsize=1)
def registry():
    """The one pint registry: pint's default definitions plus data/units.txt."""
    import pint

    ureg = pint.UnitRegistry(cache_folder=None)
    ureg.load_definitions(str(DEFINITIONS))
    return ureg


_POWER = {"square_": 2, "cubic_": 3}
_POWER_NAME = {2: "square_", 3: "cubic_"}


def _parse(expr: str):
    """The pint Unit of a unit expression or canonical name ("square_meter" -> meter ** 2)."""
    import pint

    ureg = registry()
    try:
        return ureg.Unit(expr)
    except (pint.errors.UndefinedUnitError, ValueError, AttributeError, TypeError):
        pass
    num, _, den = expr.partition("_per_")
    parts = []
    for side, sign in ((num, 1), (den, -1)):
        if not side:
            continue
        power = 1
        for prefix, p in _POWER.items():
            if side.startswith(prefix):
                side, power = side[len(prefix):], p
        parts.append(f"({ureg.Unit(side)}) ** {sign * power}")
    return ureg.Unit(" * ".join(parts))


def _name(unit) -> str:
    items = sorted(unit._units.items(), key=lambda kv: (kv[1] < 0, -abs(kv[1])))
    num = [(_POWER_NAME.get(e, "") + n) if e in (1, 2, 3) else f"{n}_{e}" for n, e in items if e > 0]
    den = [(_POWER_NAME.get(-e, "") + n) if -e in (1, 2, 3) else f"{n}_{-e}" for n, e in items if e < 0]
    return "_".join(num) + ("_per_" + "_".join(den) if den else "")


@lru_cache(maxsize=None)
def canonical(expr: str) -> str:
    """The canonical name of a pint unit expression ("hl" -> "hectoliter", "m**2" -> "square_meter")."""
    return _name(_parse(expr))


@lru_cache(maxsize=None)
def resolve(expr: str) -> UnitInfo | None:
    """What a unit is: canonical name, dimension, reference unit and the factor to it; None when pint does not
    know the unit (e.g. "count", "percent" words never reach here).

    Read from the machine's table of what pint answered (``_machine_table``) when it holds ``expr``: a process
    that finds every unit there never loads pint (its import and registry cost ~0.45 s of CPU per process)."""
    table = _machine_table()
    if expr in table:
        row = table[expr]
        return None if row is None else UnitInfo(*row)
    info = _resolve_with_pint(expr)
    _remember(expr, info)
    return info


def resolve_lexicon(langs: tuple[str, ...]) -> None:
    """Resolve every unit of the lexicons of ``langs`` now (what a process's first facts would, one by one): from
    the machine's table, and with pint for what it does not hold yet."""
    for lang in langs:
        for name in sorted(set(lexicon(lang).values())):
            resolve(name)


# The machine's table of resolved units (normalizers.machine_cache): one JSON file named by what the answers
# depend on (pint's version, data/units.txt, DIMENSIONS and this format), {expr: [name, dimension, ref, factor]
# or null}. A process reads it once; a unit it lacks is resolved with pint and the file rewritten with it.
_TABLE_FORMAT = 1
_table: dict[str, list | None] | None = None
_table_lock = threading.RLock()


@lru_cache(maxsize=1)
def _table_key() -> bytes:
    from importlib.metadata import version

    return f"{_TABLE_FORMAT}\0{version('pint')}\0{sorted(DIMENSIONS.items())!r}\0".encode() + DEFINITIONS.read_bytes()


def _table_path() -> Path | None:
    return machine_cache.path("units", _table_key(), ".json")


def _read_table(path: Path | None) -> dict[str, list | None]:
    payload = machine_cache.read(path) if path is not None else None
    try:
        table = json.loads(payload) if payload is not None else {}
    except ValueError:
        return {}
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if v is None or (isinstance(v, list) and len(v) == 4)}


def _machine_table() -> dict[str, list | None]:
    global _table
    if _table is None:
        with _table_lock:
            if _table is None:
                _table = _read_table(_table_path())
    return _table


def _remember(expr: str, info: UnitInfo | None) -> None:
    """Add what pint answered for ``expr`` to this process's table and to the machine's file (with what other
    processes added to it meanwhile)."""
    row = None if info is None else [info.name, info.dimension, info.ref_unit, info.to_ref]
    with _table_lock:
        table = _machine_table()
        table[expr] = row
        path = _table_path()
        if path is not None:
            merged = {**_read_table(path), **table}
            machine_cache.write(path, json.dumps(merged, sort_keys=True).encode())


def _resolve_with_pint(expr: str) -> UnitInfo | None:
    import pint

    try:
        unit = _parse(expr)
    except (pint.errors.PintError, ValueError, AttributeError, TypeError, SyntaxError):
        return None
    name = _name(unit)
    ureg = registry()
    dims = {k: v for k, v in unit.dimensionality.items()}
    for dimension, (want, ref) in DIMENSIONS.items():
        if dims != want:
            continue
        if not want and str(ureg.get_root_units(unit)[1]) != "bit":
            continue  # dimensionless but not data
        factor = float(f"{ureg.Quantity(1.0, unit).to(_parse(ref)).magnitude:.12g}")  # no float noise (0.1, not 0.10000000000000002)
        return UnitInfo(name, dimension, ref, factor)
    return UnitInfo(name, None, None, None)


def reference(value: float | None, expr: str) -> tuple[str | None, float | None, str | None]:
    """(dimension, value in the reference unit, reference unit) of ``value`` ``expr``; Nones when the unit has
    no known dimension."""
    info = resolve(expr)
    if info is None or info.dimension is None or value is None:
        return (info.dimension if info else None), None, (info.ref_unit if info else None)
    return info.dimension, float(value) * info.to_ref, info.ref_unit


@lru_cache(maxsize=None)
def lexicon(lang: str) -> dict[str, str]:
    """The unit words of ``lang`` (data/<lang>/units.toml [units]): word or abbreviation -> canonical name."""
    return dict(langdata.load(langdata.DATA_DIR, lang, "units").get("units", {}))


@lru_cache(maxsize=None)
def spaced_letters(lang: str) -> frozenset[str]:
    """One-letter unit symbols read after a space too ("612 000 t"), not only glued to the number."""
    return frozenset(langdata.load(langdata.DATA_DIR, lang, "units").get("spaced", {}).get("letters", []))
