-- upgrade: the path from 1.0 to the current version (1.0 -> 1.1 -> 1.2, as
-- ALTER EXTENSION chains them). A database created at 1.0 keeps working when
-- the current library is installed (clock RPCs answer the 1.0
-- shape; presence says it needs the update), ALTER EXTENSION ... UPDATE
-- brings it to the current version without touching existing clocks, and the result is the
-- same extension as a fresh install, object for object.
--
-- Runs after install, which made a fresh install (schema_doc, in between,
-- changes nothing): its catalog is captured first, then the extension is
-- dropped, created at 1.0 and updated. Every later test runs on the
-- upgraded extension (security.sql's catalog lint included). Runs as the
-- regression superuser.
\set c '88888888-0000-0000-0000-000000000001'

-- why: everything that makes up the extension, as text without OIDs, so two
-- installs can be compared: its member objects, the tables' columns (in
-- order), constraints and indexes, the composite types' attributes, each
-- function's signature, result, attributes, body and grants, the tables'
-- and the schema's grants, the comments, and what pg_dump keeps.
CREATE FUNCTION pg_temp.catalog() RETURNS TABLE (kind text, name text, detail text)
    LANGUAGE sql AS $$
    WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'session_clock'),
    members AS (
        SELECT d.classid, d.objid FROM pg_depend d, ext
        WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
    ),
    rels AS (SELECT c.oid, c.oid::regclass::text AS name, c.relacl, c.relkind FROM pg_class c
             JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid),
    procs AS (SELECT p.* FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid),
    acl(name, entries) AS (
        SELECT r.name, r.relacl FROM rels r
        UNION ALL SELECT p.oid::regprocedure::text, coalesce(p.proacl, acldefault('f', p.proowner)) FROM procs p
        UNION ALL SELECT 'schema session_clock', n.nspacl FROM pg_namespace n WHERE n.nspname = 'session_clock'
    )
    SELECT 'member', pg_describe_object(m.classid, m.objid, 0), '' FROM members m
    UNION ALL
    SELECT 'column', r.name || ' #' || row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum),
           a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
               || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE r.relkind IN ('r', 'c')
    UNION ALL
    SELECT 'type attribute', t.oid::regtype::text || ' #' || row_number() OVER (PARTITION BY t.oid ORDER BY a.attnum),
           a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
    FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
    JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'constraint', r.name || ' ' || con.conname, pg_get_constraintdef(con.oid)
    FROM rels r JOIN pg_constraint con ON con.conrelid = r.oid
    UNION ALL
    SELECT 'index', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM rels r JOIN pg_index i ON i.indrelid = r.oid
    UNION ALL
    SELECT 'function', p.oid::regprocedure::text,
           concat_ws(' | ', 'returns ' || pg_get_function_result(p.oid), 'args ' || pg_get_function_arguments(p.oid),
                     'lang ' || (SELECT l.lanname FROM pg_language l WHERE l.oid = p.prolang),
                     CASE WHEN p.prosecdef THEN 'security definer' END, 'volatility ' || p.provolatile::text,
                     CASE WHEN p.proisstrict THEN 'strict' END, 'parallel ' || p.proparallel::text,
                     array_to_string(p.proconfig, ', '), coalesce(p.probin, '') || ' ' || p.prosrc)
    FROM procs p
    UNION ALL
    SELECT 'grant', a.name,
           CASE e.grantee WHEN 0 THEN 'PUBLIC' ELSE e.grantee::regrole::text END || ' ' || e.privilege_type
               || CASE WHEN e.is_grantable THEN ' with grant option' ELSE '' END
    FROM acl a, aclexplode(a.entries) e
    UNION ALL
    SELECT 'comment', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description
    FROM pg_description d JOIN members m ON m.classid = d.classoid AND m.objid = d.objoid
    UNION ALL
    SELECT 'dumped data', c.oid::regclass::text, coalesce(x.extcondition[i], '')
    FROM pg_extension x, generate_subscripts(x.extconfig, 1) AS i, pg_class c
    WHERE x.extname = 'session_clock' AND c.oid = x.extconfig[i]
$$;

-- why: compares the catalog now with one captured before: same, and which
-- entries only one of them has.
CREATE FUNCTION pg_temp.catalog_diff(p_before text, OUT side text, OUT kind text, OUT name text, OUT detail text)
    RETURNS SETOF record LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT ''only before'', * FROM (SELECT * FROM %1$I EXCEPT SELECT * FROM pg_temp.catalog()) a
         UNION ALL
         SELECT ''only now'', * FROM (SELECT * FROM pg_temp.catalog() EXCEPT SELECT * FROM %1$I) b
         ORDER BY 1, 2, 3, 4', p_before);
END
$$;

------------------------------------------------------------------------------
-- The fresh install, as install.sql left it
------------------------------------------------------------------------------
SELECT extversion FROM pg_extension WHERE extname = 'session_clock';
CREATE TEMP TABLE fresh_install AS SELECT * FROM pg_temp.catalog();
-- why: the comparison below covers all of this (counts pin its extent).
SELECT kind, count(*) FROM fresh_install GROUP BY kind ORDER BY kind;

------------------------------------------------------------------------------
-- A database at 1.0
------------------------------------------------------------------------------
DROP EXTENSION session_clock;
CREATE EXTENSION session_clock VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'session_clock';
CREATE TEMP TABLE installed_1_0 AS SELECT * FROM pg_temp.catalog();
-- why: 1.0 has no presence or rooms: what 1.1 and 1.2 add (as members of
-- the extension), and that they keep every 1.0 member.
SELECT name AS added_since_1_0 FROM fresh_install WHERE kind = 'member'
EXCEPT SELECT name FROM installed_1_0 WHERE kind = 'member' ORDER BY 1;
SELECT count(*) AS dropped_by_1_1 FROM (SELECT name FROM installed_1_0 WHERE kind = 'member'
                                        EXCEPT SELECT name FROM fresh_install WHERE kind = 'member') gone;

-- why: the current library (the only one installed) serves the 1.0 schema: a
-- clock starts, pauses and reads, in the 1.0 shapes (10 columns for a
-- change, 9 for a reading: no grace columns), and the log replays.
CREATE TEMP TABLE answer_1_0 AS
    SELECT r.* FROM session_clock_start(:'c') r;
SELECT changed, version, is_paused, (SELECT count(*) FROM json_object_keys(row_to_json(a))) AS columns
FROM answer_1_0 a;
SELECT changed, version, is_paused, (SELECT count(*) FROM json_object_keys(row_to_json(r))) AS columns
FROM session_clock_pause(:'c', 'before the upgrade') r;
SELECT changed, version, is_paused FROM session_clock_pause(:'c');
SELECT version, is_paused, (SELECT count(*) FROM json_object_keys(row_to_json(r))) AS columns
FROM session_clock_get(:'c') r;
SELECT participant_id, role FROM session_clock_add_member(:'c', 'alice', 'host');
SELECT r.is_paused, r.version, (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.ended_at, r.version)
           IS NOT DISTINCT FROM (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at, s.version)
           AS replay_matches
FROM session_clock.sessions s, session_clock.replay(s.id) r WHERE s.id = :'c';

-- why: presence does not exist at 1.0; and the current library's entry points,
-- reached all the same (declared here by hand, as a half-applied update
-- would leave them), refuse with 55000 and say what to do, changing nothing.
CREATE FUNCTION pg_temp.presence(uuid, text, boolean) RETURNS session_clock.clock_change
    LANGUAGE c AS '$libdir/session_clock', 'session_clock_presence';
CREATE FUNCTION pg_temp.configure(uuid, integer, integer) RETURNS session_clock.clock_change
    LANGUAGE c AS '$libdir/session_clock', 'session_clock_configure';
CREATE FUNCTION pg_temp.record_presence(uuid, text, text, uuid, boolean, text) RETURNS session_clock.clock_change
    LANGUAGE c AS '$libdir/session_clock', 'session_clock_record_presence';
CREATE FUNCTION pg_temp.apply_due_deadlines(integer, OUT applied integer, OUT next_due_in_ms double precision)
    LANGUAGE c AS '$libdir/session_clock', 'session_clock_apply_due_deadlines';
CREATE TEMP TABLE row_1_0 AS SELECT * FROM session_clock.sessions WHERE id = :'c';
\i sql/include/try.sql
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence('88888888-0000-0000-0000-000000000001', 'alice', true)$$),
    ($$SELECT session_clock_configure('88888888-0000-0000-0000-000000000001', 2, 300)$$),
    ($$SELECT pg_temp.presence('88888888-0000-0000-0000-000000000001', 'alice', true)$$),
    ($$SELECT pg_temp.configure('88888888-0000-0000-0000-000000000001', 2, 300)$$),
    ($$SELECT pg_temp.record_presence('88888888-0000-0000-0000-000000000001', 'alice', 'sql', NULL, true, NULL)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.code, r.message, r.detail FROM pg_temp.try(v.statement) r) t;
-- why: apply_due_deadlines is not reachable on a 1.0 schema (the function
-- does not exist there); declared by hand, its query fails on the missing
-- column (42703) and changes nothing.
SELECT t.statement, t.code, t.message FROM (VALUES
    ($$SELECT pg_temp.apply_due_deadlines(10)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.code, r.message, r.detail FROM pg_temp.try(v.statement) r) t;
SELECT (s.*)::text = (b.*)::text AS row_unchanged,
       (SELECT count(*) FROM session_clock.session_events e WHERE e.session_id = s.id) AS events
FROM session_clock.sessions s JOIN row_1_0 b USING (id);
DROP FUNCTION pg_temp.presence(uuid, text, boolean), pg_temp.configure(uuid, integer, integer),
    pg_temp.record_presence(uuid, text, text, uuid, boolean, text), pg_temp.apply_due_deadlines(integer);

------------------------------------------------------------------------------
-- ALTER EXTENSION ... UPDATE
------------------------------------------------------------------------------
ALTER EXTENSION session_clock UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'session_clock';
-- why: updating again is a no-op, said so.
ALTER EXTENSION session_clock UPDATE;

-- why: the clock is as it was (state, version, times, its events), and
-- outside the grace rule until someone reports presence or configures it.
SELECT (s.id, s.started_at, s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at, s.version, s.created_at)
           IS NOT DISTINCT FROM
       (b.id, b.started_at, b.is_paused, b.total_paused_ms, b.last_state_change_at, b.ended_at, b.version, b.created_at)
           AS clock_kept,
       s.version, s.presence_tracked, s.participants, s.grace_deadline_at IS NULL AS no_deadline, s.auto_paused,
       s.min_participants IS NULL AS own_min_unset, s.grace_ms IS NULL AS own_grace_unset
FROM session_clock.sessions s JOIN row_1_0 b USING (id);
SELECT version, event, reason, participant_id, deadline_at IS NULL AS no_deadline
FROM session_clock.session_events WHERE session_id = :'c' ORDER BY version;
SELECT participant_id, role FROM session_clock_members(:'c');

-- why: the RPCs now answer the current shapes (15 and 14 columns) on the old
-- clock: it reads paused where it was, resumes (closing the pause it had
-- before the update), and, untracked, gets no deadline.
SELECT version, is_paused, (SELECT count(*) FROM json_object_keys(row_to_json(r))) AS columns,
       participants, grace_deadline_at IS NULL AS no_deadline
FROM session_clock_get(:'c') r;
SELECT changed, version, is_paused, (SELECT count(*) FROM json_object_keys(row_to_json(r))) AS columns,
       total_paused_ms = floor(extract(epoch FROM last_state_change_at
                                       - (SELECT last_state_change_at FROM row_1_0)) * 1000) AS closed_the_old_pause,
       grace_deadline_at IS NULL AS no_deadline
FROM session_clock_resume(:'c', 'after the upgrade') r;
-- why: and presence works on it: the first report tracks it (alone, below
-- the default minimum of 2: a deadline).
SELECT changed, version, participants, grace_deadline_at IS NOT NULL AS has_deadline
FROM session_clock_presence(:'c', 'alice', true);
SELECT r.is_paused, r.version, (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.ended_at, r.version)
           IS NOT DISTINCT FROM (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at, s.version)
           AS replay_matches
FROM session_clock.sessions s, session_clock.replay(s.id) r WHERE s.id = :'c';

------------------------------------------------------------------------------
-- The updated extension is the fresh one
------------------------------------------------------------------------------
-- why: every member object, column, constraint, index, type attribute,
-- function (attributes, body, grants), table and schema grant, comment and
-- pg_dump setting is the same as after a fresh CREATE EXTENSION.
SELECT count(*) = 0 AS same_as_fresh_install FROM pg_temp.catalog_diff('fresh_install');
SELECT * FROM pg_temp.catalog_diff('fresh_install');
-- why: the comparison does see differences: against the 1.0 install, what
-- 1.1 and 1.2 added and changed.
SELECT side, kind, count(*) FROM pg_temp.catalog_diff('installed_1_0') GROUP BY side, kind ORDER BY side, kind;

-- Leave no sessions behind for the tests that run later.
DELETE FROM session_clock.sessions WHERE id::text LIKE '88888888-%';
