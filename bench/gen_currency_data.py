"""Regenerate normalizers/data/currencies.generated.json from Babel (CLDR) and price-parser.

Run:  .venv/bin/python bench/gen_currency_data.py

The amount normaliser must start fast, so what Babel and price-parser know (currency display names in
French and English, singular and plural; currency symbols of the locales that use each currency;
month names) is extracted once here and checked in. Hand-written knowledge that these libraries lack
lives in normalizers/data/currencies.toml and normalizers/data/{fr,en}/amounts.toml.
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from babel import Locale
from babel.core import get_global
from price_parser._currencies import CURRENCIES as PP_CURRENCIES

OUT = Path(__file__).resolve().parent.parent / "normalizers" / "data" / "currencies.generated.json"
LANGS = ("fr", "en")


def norm(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").split())


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def current_codes() -> tuple[set[str], dict[str, set[str]]]:
    """ISO codes in use today, and the territories using each."""
    cur: set[str] = set()
    terr: dict[str, set[str]] = {}
    for territory, entries in get_global("territory_currencies").items():
        for code, _start, end, tender in entries:
            if end is None and tender:
                cur.add(code)
                terr.setdefault(code, set()).add(territory)
    return cur, terr


def main() -> None:
    current, territories = current_codes()
    all_codes = set(Locale("en").currencies)
    names: dict[str, dict[str, list[str]]] = {}
    heads: dict[str, dict[str, list[str]]] = {}
    for lang in LANGS:
        loc = Locale(lang)
        table: dict[str, set[str]] = {}
        head_table: dict[str, set[str]] = {}
        for code, disp in loc.currencies.items():
            forms = {disp}
            plural = loc._data["currency_names_plural"].get(code)
            if plural:
                forms.update(dict(plural).values())
            for f in forms:
                f = norm(f)
                if "(" in f:
                    f = norm(f.split("(")[0])
                if not f:
                    continue
                for v in {f, strip_accents(f)}:
                    table.setdefault(v, set()).add(code)
                if code in current:
                    words = f.split()
                    head = words[0] if lang == "fr" else words[-1]
                    for v in {head, strip_accents(head)}:
                        head_table.setdefault(v, set()).add(code)
        names[lang] = {k: sorted(v) for k, v in sorted(table.items())}
        heads[lang] = {k: sorted(v) for k, v in sorted(head_table.items())}

    symbols: dict[str, set[str]] = {}

    def add_sym(sym: str, code: str) -> None:
        sym = sym.strip()
        # a symbol must carry a letter or a currency sign (price-parser has "-" for TJS)
        if not any(c.isalpha() or unicodedata.category(c) == "Sc" for c in sym):
            return
        if sym and sym != code and not sym.isdigit():
            symbols.setdefault(sym, set()).add(code)

    # Babel: the symbol each currency has in French and English, and in the locales of its territories.
    for lang in LANGS:
        for code, sym in Locale(lang).currency_symbols.items():
            if code in current:
                add_sym(sym, code)
    territory_langs = {}
    for loc_id in ("cs", "pl", "ru", "uk", "hu", "bg", "ro", "id", "vi", "th", "ko", "ja", "zh", "tr",
                   "he", "ar", "hi", "ms", "pt", "sv", "da", "nb", "de", "it", "es", "nl", "fi", "el", "hr", "sr", "ka", "kk", "mn"):
        loc = Locale.parse(loc_id)
        territory_langs[loc_id] = loc
    for code in current:
        for loc in territory_langs.values():
            terr = loc.territory
        # narrow symbols from each language for currencies of countries where it is spoken
    for loc_id, loc in territory_langs.items():
        syms = loc.currency_symbols
        for code, sym in syms.items():
            if code not in current:
                continue
            # keep a locale's own symbol only for currencies of territories where that language is official
            lang_terrs = {t for t, info in get_global("territory_languages").items() if loc_id in info}
            if territories.get(code, set()) & lang_terrs:
                add_sym(sym, code)
    # price-parser's table (symbol, native symbol, other symbols)
    for code, info in PP_CURRENCIES.items():
        if code not in current:
            continue
        for key in ("s", "sn"):
            if info.get(key):
                add_sym(info[key], code)
        for s in info.get("sn2", []) or []:
            add_sym(s, code)

    months: dict[str, list[str]] = {}
    for lang in LANGS:
        loc = Locale(lang)
        ms: set[str] = set()
        for ctx in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for m in dict(loc.months[ctx][width]).values():
                    m = norm(m).rstrip(".")
                    ms.update({m, strip_accents(m)})
        months[lang] = sorted(ms)

    data = {
        "_comment": "GENERATED by bench/gen_currency_data.py from Babel (CLDR) and price-parser; do not edit.",
        "current_codes": sorted(current),
        "all_codes": sorted(all_codes),
        "names": names,
        "heads": heads,
        "symbols": {k: sorted(v) for k, v in sorted(symbols.items())},
        "months": months,
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
