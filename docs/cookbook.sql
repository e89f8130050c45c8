-- canvas-etl warehouse cookbook. Hand-written; every query here is executed by tests/warehouse/test_docs.py
-- and copied into docs/warehouse.md by `python -m warehouse.docs`.
-- Format: each query starts with "-- name: <id>", then "-- " description lines, then the SQL ending with ";".

-- name: latest_revenue_per_segment
-- Latest annual revenue per segment (subject): the newest period, as stated by the newest edition.
-- Converted amounts ("equivalent") are left out; see figures_in_usd for those.
SELECT ticker, subject, period_end, period_label, value, unit, edition_label, line_number, source_text
FROM facts_latest
WHERE metric_key = 'revenue' AND kind = 'money' AND period_grain = 'year'
  AND NOT list_contains(flags, 'equivalent')
QUALIFY row_number() OVER (PARTITION BY report_key, subject_key ORDER BY period_end DESC, unit) = 1
ORDER BY ticker, value DESC;

-- name: stated_growth_rates
-- Growth rates as the reports state them (percent figures whose metric mentions growth), by period.
SELECT ticker, subject, metric, period_grain, period_end, value AS growth_percent, edition_label, source_text
FROM facts_latest
WHERE unit = 'percent' AND (metric_key LIKE '%growth%' OR metric_key LIKE '%croissance%')
ORDER BY ticker, subject, metric, period_end;

-- name: computed_growth_by_period
-- Growth computed from consecutive periods of the same figure (same subject, metric, unit and grain).
SELECT ticker, subject, metric, unit, period_grain,
       lag(period_end) OVER w AS previous_period_end, period_end,
       lag(value) OVER w AS previous_value, value,
       round(100 * (value / lag(value) OVER w - 1), 2) AS growth_percent
FROM facts_latest
WHERE kind IN ('money', 'count') AND NOT list_contains(flags, 'equivalent')
WINDOW w AS (PARTITION BY report_key, subject_key, metric_key, unit, period_grain ORDER BY period_end)
QUALIFY lag(value) OVER w IS NOT NULL
ORDER BY ticker, subject, metric, period_end;

-- name: figures_in_usd
-- Every money figure in USD: figures stated in USD, and figures in another currency for which the
-- same line gives a USD equivalent, e.g. "RMB 39.8 billion (US$5.6 billion)" (each equivalent is
-- paired with the nearest original figure before it on the line).
WITH money AS (
    SELECT * FROM facts
    WHERE kind = 'money' AND NOT list_contains(flags, 'retracted')
), converted AS (
    SELECT o.fact_id, o.document_id, o.ticker, o.subject, o.metric, o.period_end, o.line_number,
           o.value AS original_value, o.unit AS original_unit, o.source_text AS original_text,
           e.value AS usd_value, e.source_text AS usd_text, 'equivalent' AS usd_source
    FROM money o
    JOIN money e
      ON e.document_id = o.document_id AND e.line_number = o.line_number AND e.char_start > o.char_start
     AND e.unit = 'USD' AND list_contains(e.flags, 'equivalent')
     AND o.unit <> 'USD' AND NOT list_contains(o.flags, 'equivalent')
    QUALIFY row_number() OVER (PARTITION BY e.fact_id ORDER BY o.char_start DESC) = 1
)
SELECT * FROM converted
UNION ALL
SELECT fact_id, document_id, ticker, subject, metric, period_end, line_number,
       value, unit, source_text, value, source_text, 'stated'
FROM money
WHERE unit = 'USD' AND NOT list_contains(flags, 'equivalent')
ORDER BY document_id, line_number;

-- name: changes_since_previous_edition
-- What the newest edition of each report changed, added or dropped compared with the edition before.
SELECT c.ticker, c.change, c.subject, c.metric, c.unit, c.period_end,
       c.old_value, c.new_value, round(100 * c.relative_change, 2) AS change_percent,
       c.old_edition, c.new_edition, c.old_line_number, c.new_line_number
FROM fact_changes c
JOIN editions e ON e.document_id = c.new_document_id AND e.is_latest
ORDER BY c.ticker, c.change, c.subject, c.metric, c.period_end;

-- name: conflicts
-- Figures stated with different values (beyond rounding) for the same thing and period, with both sources.
SELECT scope, ticker, subject_key, metric_key, unit, period_end,
       a_value, a_edition, a_line_number, a_source_text,
       b_value, b_edition, b_line_number, b_source_text
FROM fact_conflicts
ORDER BY ticker, subject_key, metric_key, period_end, a_line_number, b_line_number;

-- name: last_runs
-- The last runs, their counts, and what they rejected.
SELECT r.run_id, r.status, r.started_at, r.finished_at, r.counts.documents_loaded AS documents_loaded,
       r.counts.facts_loaded AS facts_loaded,
       (SELECT count(*) FROM rejected_inputs x WHERE x.run_id = r.run_id) AS rejected
FROM runs r
ORDER BY r.started_at DESC
LIMIT 10;

-- name: revenue_by_company_in_usd
-- Revenue by company in USD, newest value of each figure: every currency converted (view facts_converted: the
-- report's own rate when it pairs the figure with a USD amount, else its rate for that date, else the ECB
-- reference rate), each figure counted once (equivalents left out), with the rate's source and date.
SELECT c.ticker, c.company, l.subject, l.period_grain, l.period_end, l.value, l.unit,
       round(c.value_usd) AS value_usd, c.fx_source, c.fx_rate_date, c.fx_reason
FROM facts_latest l
JOIN facts_converted c ON c.fact_id = l.fact_id AND c.document_id = l.document_id
WHERE l.metric_key = 'revenue' AND c.equivalent_of IS NULL AND NOT list_contains(c.flags, 'equivalent')
ORDER BY c.ticker, l.subject, l.period_end DESC NULLS LAST, l.period_grain;
