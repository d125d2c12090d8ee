-- Before the upgrade: what must survive it, kept in schema upgrade_check
-- (outside session_clock, which catalog.sql compares): each table's rows
-- over the columns it has now, each sequence's position, the effective
-- defaults.
CREATE SCHEMA upgrade_check;
\set digest_schema upgrade_check
\i tests/portable/row_digest.sql
CREATE TABLE upgrade_check.kept AS
    SELECT c.oid::regclass::text AS relation, cols.columns,
           CASE c.relkind WHEN 'S' THEN upgrade_check.position_of(c.oid)
                          ELSE upgrade_check.rows_of(c.oid, cols.columns) END AS digest
    FROM pg_class c
    CROSS JOIN LATERAL (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) AS columns
                        FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) cols
    WHERE c.relnamespace = 'session_clock'::regnamespace AND c.relkind IN ('r', 'S')
      AND c.relname NOT IN ('privileges', 'settings');
CREATE TABLE upgrade_check.defaults AS SELECT * FROM session_clock.portable_settings();
SELECT count(*) AS relations_kept, (SELECT count(*) FROM session_clock.session_events) AS events FROM upgrade_check.kept;
