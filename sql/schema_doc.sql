-- schema_doc: docs/extension.md lists every table and view of the current
-- version with every column and its type, so a reader finds the schema in
-- one place. This checks those lists against the catalog of the fresh
-- install (it runs right after install.sql): anything only in the doc or
-- only in the catalog is listed, so a column added without its line in the
-- doc, a column dropped or retyped, or a relation left out fails here.
--
-- The doc is read from the repository (pg_regress runs from its root). A
-- heading "### `session_clock.NAME`" starts a relation, and each table row
-- "| `column` | `type` | meaning |" under it is one of its columns (types
-- as PostgreSQL names them: timestamptz, double precision, ...).
\set doc `cat docs/extension.md`

CREATE TEMP TABLE documented AS
WITH lines AS (
    SELECT l.n, l.line FROM regexp_split_to_table(:'doc', E'\n') WITH ORDINALITY AS l (line, n)
), headings AS (
    SELECT l.n, substring(l.line FROM '^#+ `(session_clock\.[a-z_]+)`') AS relation FROM lines l WHERE l.line ~ '^#'
)
SELECT h.relation, r.m[1] AS column_name, r.m[2] AS type
FROM lines l
CROSS JOIN LATERAL (SELECT h.relation FROM headings h WHERE h.n < l.n ORDER BY h.n DESC LIMIT 1) h
CROSS JOIN LATERAL (SELECT regexp_match(l.line, '^\| `([a-z0-9_]+)` \| `([^`]+)` \|') AS m) r
WHERE h.relation IS NOT NULL AND r.m IS NOT NULL;

-- The extension's tables and views, their columns and types.
CREATE VIEW pg_temp.installed AS
SELECT c.oid::regclass::text AS relation, a.attname::text AS column_name, a.atttypid,
       format_type(a.atttypid, a.atttypmod) AS type
FROM pg_depend d
JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'session_clock')
  AND c.relkind IN ('r', 'v', 'm', 'p', 'f');

-- What only one side has (a column in both with different types is on
-- both sides), and any column the doc lists twice.
CREATE VIEW pg_temp.schema_doc_differences AS
SELECT 'only in the doc' AS side, d.relation, d.column_name, d.type
FROM documented d
WHERE NOT EXISTS (SELECT FROM pg_temp.installed i
                  WHERE i.relation = d.relation AND i.column_name = d.column_name
                    AND i.atttypid = to_regtype(d.type))
UNION ALL
SELECT 'only in the catalog', i.relation, i.column_name, i.type
FROM pg_temp.installed i
WHERE NOT EXISTS (SELECT FROM documented d
                  WHERE d.relation = i.relation AND d.column_name = i.column_name
                    AND to_regtype(d.type) = i.atttypid)
UNION ALL
SELECT 'twice in the doc', d.relation, d.column_name, min(d.type)
FROM documented d GROUP BY d.relation, d.column_name HAVING count(*) > 1;

-- why: the doc covers every table and view (these counts pin how much it
-- lists), and it agrees with the catalog.
SELECT count(DISTINCT relation) AS relations, count(*) AS columns FROM documented;
SELECT count(DISTINCT relation) AS relations, count(*) AS columns FROM pg_temp.installed;
SELECT * FROM pg_temp.schema_doc_differences ORDER BY relation, column_name, side;

-- why: the check does see a change: a column added, another retyped, a
-- table without a line in the doc.
BEGIN;
ALTER TABLE session_clock.sessions ADD COLUMN undocumented integer;
ALTER TABLE session_clock.workers ALTER COLUMN description TYPE varchar(200);
CREATE TABLE session_clock.unlisted (id integer);
ALTER EXTENSION session_clock ADD TABLE session_clock.unlisted;
SELECT * FROM pg_temp.schema_doc_differences ORDER BY relation, column_name, side;
ROLLBACK;
