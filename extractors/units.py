"""Units declared by a table's row label or column header for the bare numbers under it
("Revenue (USD m) | 1,234" -> 1,234 x 10^6 USD), and the kind/unit of an amount as a fact states it."""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from normalizers import units as _units
from normalizers.amounts import Amount

from .memo import cached_amounts

_PAREN_CONTENT = re.compile(r"\(([^()]{1,40})\)")
_LEAD_WORD = re.compile(r"^\s*([^\W\d_][\w-]*)")


_CODE_SCALE = re.compile(r"^(?:en\s+|in\s+)?(\S{1,4})\s+(\S{1,3})\.?$", re.IGNORECASE)
_LEADING_IN = re.compile(r"^(?:en|in)\s+", re.IGNORECASE)


@lru_cache(maxsize=4096)
def declared_unit(label: str, lang: str, hints: tuple) -> tuple[Decimal, str, str] | None:
    """A unit (and scale) a row label or column header declares for the bare numbers under it:
    "Revenue (USD m)" -> (1e6, "USD", "money"); "(en M€)" -> (1e6, "EUR", "money");
    "Containers handled (TEU)" -> (1, "teu", "quantity"); "Tonnes carried" -> (1, "metric_ton", "quantity");
    "Contract logistics (warehouse sq m)" -> (1, "square_meter", "quantity"). Units are the lexicon's
    (normalizers/data/<lang>/units.toml, pint canonical names)."""
    texts = [(m.group(1).strip(), ("money", "quantity")) for m in _PAREN_CONTENT.finditer(label)]
    lead = _LEAD_WORD.match(label)
    if lead:  # a leading word declares a physical unit only ("Tonnes carried"), never a currency ("Or alipay")
        texts.append((lead.group(1), ("quantity",)))
    for text, kinds in texts:
        text = _LEADING_IN.sub("", text)
        probes = [("1 " + text, kinds)]
        code_scale = _CODE_SCALE.match(text)
        if code_scale:  # "USD m", "EUR bn": scale after the code
            probes.append((f"1{code_scale.group(2)} {code_scale.group(1)}", kinds))
        words = text.split()
        # "(warehouse sq m)": a physical unit at the end, after words that say what is measured
        probes += [("1 " + " ".join(words[i:]), ("quantity",)) for i in range(1, min(len(words), 4))]
        for probe, probe_kinds in probes:
            found = cached_amounts(probe, lang, hints)
            if len(found) == 1 and found[0].start == 0 and found[0].end >= len(probe) - 1 \
                    and found[0].kind in probe_kinds:
                return found[0].value, found[0].unit, found[0].kind
    return None


PLAIN_NUMBER = re.compile(r"^[\d\s.,'\u00a0\u202f]+\+?$")


def physical(kind: str, unit: str, value) -> tuple[str | None, float | None, str | None]:
    """(dimension, value in the dimension's reference unit, reference unit) of a quantity (normalizers.units:
    pint, cached per unit); Nones for money, percents, counts and units of no known dimension."""
    if kind != "quantity":
        return None, None, None
    return _units.reference(None if value is None else float(value), unit)


def kind_unit(amount: Amount) -> tuple[str, str]:
    if amount.kind == "number":
        return "count", "count"
    return amount.kind, amount.unit
