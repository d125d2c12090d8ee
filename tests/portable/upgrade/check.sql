-- After the upgrade: every table's rows over its old columns, every
-- sequence's position and the effective defaults as keep.sql kept them.
\set ON_ERROR_STOP on
DO $check$
DECLARE
    problems text;
BEGIN
    SELECT string_agg(k.relation || ': ' || k.digest || ' before, ' || coalesce(n.digest, 'gone') || ' after', '; ')
      INTO problems
    FROM upgrade_check.kept k
    CROSS JOIN LATERAL (SELECT CASE WHEN c.relkind = 'S' THEN upgrade_check.position_of(c.oid)
                                    ELSE upgrade_check.rows_of(c.oid, k.columns) END AS digest
                        FROM pg_class c WHERE c.oid = to_regclass(k.relation)) n
    WHERE n.digest IS DISTINCT FROM k.digest;
    IF problems IS NOT NULL THEN
        RAISE EXCEPTION 'the upgrade changed rows: %', problems;
    END IF;
    IF (SELECT count(*) FROM upgrade_check.kept k WHERE to_regclass(k.relation) IS NULL) > 0 THEN
        RAISE EXCEPTION 'the upgrade dropped a table';
    END IF;
    IF (SELECT row(d.*)::text FROM upgrade_check.defaults d)
       IS DISTINCT FROM (SELECT row(s.*)::text FROM session_clock.portable_settings() s) THEN
        RAISE EXCEPTION 'the defaults changed: % before, % after', (SELECT row(d.*)::text FROM upgrade_check.defaults d),
            (SELECT row(s.*)::text FROM session_clock.portable_settings() s);
    END IF;
END
$check$;
SELECT count(*) AS relations_same FROM upgrade_check.kept;
SELECT * FROM session_clock.settings;
SET client_min_messages = warning;
DROP SCHEMA upgrade_check CASCADE;
