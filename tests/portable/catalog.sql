-- One line per property of every object either edition makes, as text
-- without OIDs or owners, for tests/portable/run.sh to diff the extension's
-- catalog against the portable edition's. Leaves out only what must
-- differ (docs/portable.md): a function's language and body; the portable
-- edition's own objects (portable_version(), portable_settings(), schema
-- session_clock_portable); the comment of
-- server_time_status(), which says what each edition can know; how
-- session_clock_get(uuid) takes its owner's rights (the extension's C code
-- takes them itself and pins no search_path, docs/security.md; PL/pgSQL
-- needs SECURITY DEFINER with a pinned one); and the
-- text of the view stranded_sessions, whose default minimum comes from the
-- extension's setting or the settings row (its columns are compared).
WITH fn AS (
    SELECT p.*, p.oid::regprocedure::text AS sig
    FROM pg_proc p
    WHERE (p.pronamespace = 'session_clock'::regnamespace
           OR (p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'session\_clock\_%'))
      AND p.proname NOT IN ('portable_version', 'portable_settings')
), rel AS (
    SELECT c.* FROM pg_class c
    WHERE c.relnamespace = 'session_clock'::regnamespace
), acl AS (
    -- grantee names, with the owner spelled "owner"
    SELECT 'function' AS kind, fn.sig AS name,
           coalesce(nullif(a.grantee::regrole::text, (fn.proowner::regrole)::text), 'owner') || ':' || a.privilege_type AS grant_text
    FROM fn, aclexplode(coalesce(fn.proacl, acldefault('f', fn.proowner))) a
    UNION ALL
    SELECT 'relation', rel.relname,
           coalesce(nullif(a.grantee::regrole::text, (rel.relowner::regrole)::text), 'owner') || ':' || a.privilege_type
    FROM rel, aclexplode(coalesce(rel.relacl, acldefault(CASE WHEN rel.relkind = 'S' THEN 's' ELSE 'r' END::"char", rel.relowner))) a
    WHERE rel.relkind IN ('r', 'v', 'S')
)
SELECT line FROM (
    SELECT 'function ' || sig || ' (' || pg_get_function_arguments(oid) || ') returns ' || pg_get_function_result(oid)
           || ' ' || provolatile::text || CASE WHEN proisstrict THEN ' strict' ELSE '' END || ' parallel ' || proparallel::text
           || CASE WHEN sig = 'session_clock_get(uuid)' THEN ' rights per edition'
                   ELSE CASE WHEN prosecdef THEN ' definer' ELSE '' END || ' config ' || coalesce(proconfig::text, '-')
              END AS line
    FROM fn
    UNION ALL
    SELECT 'comment function ' || sig || ': ' || obj_description(oid, 'pg_proc') FROM fn
    WHERE obj_description(oid, 'pg_proc') IS NOT NULL AND sig <> 'session_clock.server_time_status()'
    UNION ALL
    SELECT 'grant ' || kind || ' ' || name || ' ' || grant_text FROM acl
    UNION ALL
    SELECT 'relation ' || relname || ' kind ' || relkind::text FROM rel
    UNION ALL
    SELECT 'column ' || rel.relname || '.' || a.attname || ' #' || a.attnum || ' ' || format_type(a.atttypid, a.atttypmod)
           || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
           || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
           || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
    FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    UNION ALL
    SELECT 'comment ' || rel.relname || coalesce('.' || a.attname, '') || ': ' || x.description
    FROM rel JOIN pg_description x ON x.objoid = rel.oid AND x.classoid = 'pg_class'::regclass
    LEFT JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum = x.objsubid AND x.objsubid > 0
    UNION ALL
    SELECT 'constraint ' || rel.relname || ' ' || x.conname || ' ' || pg_get_constraintdef(x.oid)
    FROM rel JOIN pg_constraint x ON x.conrelid = rel.oid
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM rel JOIN pg_index i ON i.indrelid = rel.oid
    UNION ALL
    SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM rel JOIN pg_trigger t ON t.tgrelid = rel.oid AND NOT t.tgisinternal
    UNION ALL
    SELECT 'view ' || rel.relname || ' ' || pg_get_viewdef(rel.oid) FROM rel
    WHERE rel.relkind = 'v' AND rel.relname <> 'stranded_sessions'
    UNION ALL
    SELECT 'schema session_clock ' || coalesce(obj_description(n.oid, 'pg_namespace'), '') || ' usage '
           || has_schema_privilege('public', n.oid, 'USAGE')
    FROM pg_namespace n WHERE n.nspname = 'session_clock'
) lines
ORDER BY line;
