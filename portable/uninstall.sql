-- Drops the portable edition, data and all, as scripts/move-edition does
-- before it installs the extension. Run by the owner (or a superuser) inside
-- a transaction. It refuses, dropping nothing, while an object that is not
-- the portable edition's depends on one of its objects (an app's view of
-- session_clock.sessions, a foreign key to it): DROP ... CASCADE would
-- silently take those with it.
SET LOCAL search_path = pg_catalog, pg_temp;
SET LOCAL client_min_messages = warning;  -- not the CASCADE's list of every object
DO $uninstall$
DECLARE
    schemas oid[] := ARRAY(SELECT n.oid FROM pg_catalog.pg_namespace n
                           WHERE n.nspname IN ('session_clock', 'session_clock_portable'));
    dependents text;
BEGIN
    IF pg_catalog.to_regprocedure('session_clock.portable_version()') IS NULL THEN
        RAISE EXCEPTION 'this database has no portable edition of session_clock'
            USING ERRCODE = 'undefined_object';
    END IF;
    WITH ours AS (
        SELECT 'pg_catalog.pg_class'::pg_catalog.regclass AS classid, c.oid AS objid
        FROM pg_catalog.pg_class c WHERE c.relnamespace = ANY (schemas)
        UNION ALL
        SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid FROM pg_catalog.pg_proc p
        WHERE p.pronamespace = ANY (schemas)
           OR (p.pronamespace = 'public'::pg_catalog.regnamespace AND p.proname LIKE 'session\_clock\_%')
        UNION ALL
        SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, y.oid FROM pg_catalog.pg_type y
        WHERE y.typnamespace = ANY (schemas)
    )
    -- (a view by its name, not its _RETURN rule's)
    SELECT pg_catalog.string_agg(DISTINCT COALESCE(
               (SELECT pg_catalog.pg_describe_object('pg_catalog.pg_class'::pg_catalog.regclass, w.ev_class, 0)
                FROM pg_catalog.pg_rewrite w
                WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND w.oid = d.objid),
               pg_catalog.pg_describe_object(d.classid, d.objid, 0)), ', ')
      INTO dependents
    FROM pg_catalog.pg_depend d JOIN ours o ON o.classid = d.refclassid AND o.objid = d.refobjid
    WHERE d.deptype = 'n'
      AND NOT EXISTS (SELECT FROM ours x WHERE x.classid = d.classid AND x.objid = d.objid)
      -- parts of our own relations: constraints, rules of views, triggers, defaults
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k
                      WHERE d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND k.oid = d.objid
                        AND (k.conrelid IN (SELECT o2.objid FROM ours o2) OR k.contypid IN (SELECT o2.objid FROM ours o2)))
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_rewrite w
                      WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND w.oid = d.objid
                        AND w.ev_class IN (SELECT o2.objid FROM ours o2))
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g
                      WHERE d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND g.oid = d.objid
                        AND g.tgrelid IN (SELECT o2.objid FROM ours o2))
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_attrdef a
                      WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND a.oid = d.objid
                        AND a.adrelid IN (SELECT o2.objid FROM ours o2));
    IF dependents IS NOT NULL THEN
        RAISE EXCEPTION 'objects outside session_clock depend on it: %', dependents
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = 'Drop them first, and make them again once the other edition is installed.';
    END IF;
    EXECUTE (SELECT pg_catalog.string_agg(pg_catalog.format('DROP FUNCTION %s;', p.oid::pg_catalog.regprocedure), ' ')
             FROM pg_catalog.pg_proc p
             WHERE p.pronamespace = 'public'::pg_catalog.regnamespace AND p.proname LIKE 'session\_clock\_%');
    DROP SCHEMA session_clock_portable, session_clock CASCADE;
END
$uninstall$;
