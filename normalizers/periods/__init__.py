"""Period expressions in French/English report text -> typed :class:`Period` values.

Pure Python (no spaCy, Prefect or DuckDB). Language knowledge lives in
``normalizers/data/<lang>/periods.toml`` (all languages are merged, since reports mix French and
English; ``lang`` only picks the numeric date order); month and weekday names come from Babel.
Dates are parsed here from those tables (faster than dateparser and it never invents a day or month).

Conventions (see also shared/gold/SCHEMA.md):

* Fiscal year N ends in calendar year N on the fiscal year end (for a 31 March year end FY2025 is
  2024-04-01..2025-03-31); fiscal quarter/half k of FY N counts from the day after FY N-1 ends.
  Fiscal year ends that are not month ends (52/53-week years) are snapped to the nearest month end.
* ``is_fiscal`` is True only when the text says fiscal / FY / exercice.
* Bare years ("2023", "(2023)", "in 2024") are calendar years; "by the end of 2023", "fin 2023",
  "late 2025" are typed as the year too (grain "year", end 12-31): the modifier stays in the span.
* "early August 2025", "as of March 2025" -> the month (grain "month").
* A quarter/half letter form needs a year: "T4" or "Q3" alone is not a period (no mention).
* Spans start at the period words themselves: leading prepositions and articles ("in", "the", "au",
  "l'", "as of") are not part of ``PeriodMention.text``.
* "over three years" / "sur trois ans" -> period None, grain_hint "multi_year"; with next/past
  ("over the next three years") and a ``reference`` it is resolved from the reference end.
* "fiscal second quarter of 2025" is read literally as Q2 of FY2025.
"""
from __future__ import annotations

from .calendar import (GRAINS, Period, PeriodMention, calendar_half, calendar_quarter, calendar_year, day_period,
                       fiscal_half, fiscal_quarter, fiscal_year, month_period, ttm_period)
from .fiscal import ENV_CALENDARS, find_fiscal_year_end, find_fiscal_year_naming, fiscal_year_end_for
from .search import find_periods

__all__ = [
    "GRAINS",
    "ENV_CALENDARS",
    "Period",
    "PeriodMention",
    "find_periods",
    "find_fiscal_year_end",
    "find_fiscal_year_naming",
    "fiscal_year_end_for",
    "fiscal_year",
    "fiscal_quarter",
    "fiscal_half",
    "calendar_year",
    "calendar_quarter",
    "calendar_half",
    "month_period",
    "day_period",
    "ttm_period",
]
