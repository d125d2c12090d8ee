-- Every row of session_clock's tables (but privileges, each edition's own)
-- as a count and an md5 per table, and each identity sequence's position.
\set digest_schema pg_temp
\i tests/portable/row_digest.sql
SELECT c.relname, CASE c.relkind WHEN 'S' THEN pg_temp.position_of(c.oid) ELSE pg_temp.rows_of(c.oid) END
FROM pg_class c
WHERE c.relnamespace = 'session_clock'::regnamespace AND c.relkind IN ('r', 'S') AND c.relname <> 'privileges'
ORDER BY c.relname;
