"""Units declared by a table's row label or column header for the bare numbers under it
("Revenue (USD m) | 1,234" -> 1,234 x 10^6 USD), and the kind/unit of an amount as a fact states it."""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

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
    "Containers handled (TEU)" -> (1, "teu", "quantity"); "Tonnes carried" -> (1, "tonne", "quantity")."""
    texts = [(m.group(1).strip(), ("money", "quantity")) for m in _PAREN_CONTENT.finditer(label)]
    lead = _LEAD_WORD.match(label)
    if lead:  # a leading word declares a physical unit only ("Tonnes carried"), never a currency ("Or alipay")
        texts.append((lead.group(1), ("quantity",)))
    for text, kinds in texts:
        text = _LEADING_IN.sub("", text)
        probes = ["1 " + text]
        code_scale = _CODE_SCALE.match(text)
        if code_scale:  # "USD m", "EUR bn": scale after the code
            probes.append(f"1{code_scale.group(2)} {code_scale.group(1)}")
        for probe in probes:
            found = cached_amounts(probe, lang, dict(hints) if hints else None)
            if len(found) == 1 and found[0].start == 0 and found[0].end >= len(probe) - 1 \
                    and found[0].kind in kinds:
                return found[0].value, found[0].unit, found[0].kind
    return None


PLAIN_NUMBER = re.compile(r"^[\d\s.,'\u00a0\u202f]+\+?$")


def kind_unit(amount: Amount) -> tuple[str, str]:
    if amount.kind == "number":
        return "count", "count"
    return amount.kind, amount.unit
