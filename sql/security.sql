-- Hardening, checked three ways:
--   (a) a catalog lint of what the install granted and pinned;
--   (b) a search_path hijack: objects planted in public and pg_temp by a
--       low-privileged role are never used by the extension;
--   (c) garbage in request.jwt.claims means "no sub", never a crash.
--
-- pg_temp.try_value() (include/try_text.sql) runs a one-column query in a
-- subtransaction and answers its value ('NULL' for NULL) or
-- 'ERROR <SQLSTATE>: <message>' (no psql LOCATION lines).

CREATE SCHEMA regress_security;
GRANT USAGE ON SCHEMA regress_security TO PUBLIC;
\i sql/include/try_text.sql
\i sql/include/try.sql

-- The extension's own objects; for the portable edition (no extension:
-- tests/portable/run.sh) the functions and relations of schema
-- session_clock and the session_clock_* functions in public.
CREATE VIEW regress_security.ext_objects AS
SELECT d.classid, d.objid
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'session_clock')
  AND d.deptype = 'e'
UNION ALL
SELECT 'pg_proc'::regclass, p.oid
FROM pg_proc p
WHERE NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'session_clock')
  AND (p.pronamespace = 'session_clock'::regnamespace
       OR (p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'session\_clock\_%'))
UNION ALL
SELECT 'pg_class'::regclass, c.oid
FROM pg_class c
WHERE NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'session_clock')
  AND c.relnamespace = 'session_clock'::regnamespace;

------------------------------------------------------------------------------
-- (a) Catalog lint.
------------------------------------------------------------------------------
-- Every function: SECURITY DEFINER or not, its pinned search_path, and who
-- may execute it. PUBLIC is read from the ACL itself (NULL = the default,
-- which grants PUBLIC EXECUTE).
SELECT p.oid::regprocedure AS function,
       p.prosecdef AS definer,
       p.proconfig AS config,
       EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
               WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') AS public,
       has_function_privilege('anon', p.oid, 'EXECUTE') AS anon,
       has_function_privilege('authenticated', p.oid, 'EXECUTE') AS authenticated,
       has_function_privilege('service_role', p.oid, 'EXECUTE') AS service_role
FROM pg_proc p JOIN regress_security.ext_objects e ON e.classid = 'pg_proc'::regclass AND e.objid = p.oid
ORDER BY p.oid::regprocedure::text;

-- Lint 1: every SECURITY DEFINER function pins search_path to pg_catalog
-- with pg_temp named last (left out, pg_temp would be searched first).
SELECT count(*) AS definer_functions,
       count(*) FILTER (WHERE NOT 'search_path=pg_catalog, pg_temp' = ANY (coalesce(p.proconfig, '{}'))) AS without_pinned_search_path
FROM pg_proc p JOIN regress_security.ext_objects e ON e.classid = 'pg_proc'::regclass AND e.objid = p.oid
WHERE p.prosecdef;

-- Lint 2: what PUBLIC and anon can execute is exactly the server-time
-- functions and the pure elapsed_ms; nothing SECURITY DEFINER among them.
SELECT p.oid::regprocedure AS executable_by_public, p.prosecdef AS definer
FROM pg_proc p JOIN regress_security.ext_objects e ON e.classid = 'pg_proc'::regclass AND e.objid = p.oid
WHERE EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
              WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
ORDER BY p.oid::regprocedure::text;
SELECT p.oid::regprocedure AS executable_by_anon, p.prosecdef AS definer
FROM pg_proc p JOIN regress_security.ext_objects e ON e.classid = 'pg_proc'::regclass AND e.objid = p.oid
WHERE has_function_privilege('anon', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text;

-- Lint 3: the tables and the sequence grant nothing to PUBLIC, anon or
-- authenticated, on the relation or any column; the only grant beyond the
-- owner's is SELECT to service_role.
SELECT c.oid::regclass AS relation, c.relkind,
       CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS grantee, a.privilege_type
FROM pg_class c JOIN regress_security.ext_objects e ON e.classid = 'pg_class'::regclass AND e.objid = c.oid,
     aclexplode(coalesce(c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))) a
WHERE a.grantee <> c.relowner
ORDER BY c.oid::regclass::text, 3, 4;
SELECT r.role,
       bool_or(has_table_privilege(r.role, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
           FILTER (WHERE c.relkind = 'r') AS any_table_privilege,
       bool_or(has_any_column_privilege(r.role, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
           FILTER (WHERE c.relkind = 'r') AS any_column_privilege,
       bool_or(has_sequence_privilege(r.role, c.oid, 'USAGE, SELECT, UPDATE'))
           FILTER (WHERE c.relkind = 'S') AS any_sequence_privilege
FROM unnest(ARRAY['public', 'anon', 'authenticated', 'authenticator']) WITH ORDINALITY AS r (role, n)
CROSS JOIN pg_class c JOIN regress_security.ext_objects e ON e.classid = 'pg_class'::regclass AND e.objid = c.oid
GROUP BY r.role, r.n
ORDER BY r.n;
SELECT count(*) AS column_acls
FROM pg_attribute att JOIN regress_security.ext_objects e ON e.classid = 'pg_class'::regclass AND e.objid = att.attrelid
WHERE att.attacl IS NOT NULL;

-- Lint 4: the schema lends USAGE (to reach the functions) and nothing else.
SELECT r AS role,
       has_schema_privilege(r, 'session_clock', 'USAGE') AS usage,
       has_schema_privilege(r, 'session_clock', 'CREATE') AS "create"
FROM unnest(ARRAY['public', 'anon', 'authenticated', 'service_role']) AS r
ORDER BY 1;
SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS grantee, a.privilege_type
FROM pg_namespace n, aclexplode(n.nspacl) a
WHERE n.nspname = 'session_clock' AND a.grantee <> n.nspowner
ORDER BY 1, 2;

-- Lint 5: the grants are what session_clock.privileges says (1.3: the
-- scripts apply it with session_clock.apply_privileges()). Each object's
-- audience: public, everyone; authenticated, end users and service_role;
-- service_role, only it; owner, nobody. The view lists every object and
-- role where what the role may do (EXECUTE a function, SELECT a relation)
-- differs from its audience.
SELECT audience, kind, count(*) FROM session_clock.privileges GROUP BY 1, 2 ORDER BY 1, 2;
CREATE VIEW regress_security.off_model AS
SELECT p.object, p.audience, r.role, u.may
FROM session_clock.privileges p
CROSS JOIN unnest(ARRAY['public', 'anon', 'authenticated', 'service_role']) AS r (role)
CROSS JOIN LATERAL (SELECT CASE p.kind
                               WHEN 'function' THEN has_function_privilege(r.role, to_regprocedure(p.object), 'EXECUTE')
                               ELSE has_table_privilege(r.role, to_regclass(p.object), 'SELECT') END AS may) u
WHERE u.may IS DISTINCT FROM CASE p.audience WHEN 'public' THEN true
                                             WHEN 'authenticated' THEN r.role IN ('authenticated', 'service_role')
                                             WHEN 'service_role' THEN r.role = 'service_role'
                                             ELSE false END;
SELECT * FROM regress_security.off_model ORDER BY 1, 3;
-- why: every function, table, view and sequence of the extension is listed
-- once (apply_privileges() refuses otherwise), and applying the list again
-- changes no grant.
CREATE VIEW regress_security.acls AS
    SELECT p.oid::regprocedure::text AS object, p.proacl::text AS acl
    FROM pg_proc p JOIN regress_security.ext_objects e ON e.classid = 'pg_proc'::regclass AND e.objid = p.oid
    UNION ALL
    SELECT c.oid::regclass::text, c.relacl::text
    FROM pg_class c JOIN regress_security.ext_objects e ON e.classid = 'pg_class'::regclass AND e.objid = c.oid;
CREATE TEMP TABLE acls_before AS SELECT * FROM regress_security.acls;
SELECT session_clock.apply_privileges();
SELECT count(*) AS grants_changed
FROM regress_security.acls a FULL JOIN acls_before b USING (object)
WHERE a.acl IS DISTINCT FROM b.acl;
-- why: it puts back what a grant or revoke by hand changed, for PUBLIC,
-- anon and the audience's roles (it never takes anything from
-- authenticated or service_role).
BEGIN;
GRANT EXECUTE ON FUNCTION session_clock.lock_unborn_session(uuid) TO PUBLIC;
GRANT EXECUTE ON FUNCTION session_clock_get(uuid) TO anon;
REVOKE EXECUTE ON FUNCTION session_clock.server_now() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION session_clock_stop(uuid, text) FROM authenticated;
REVOKE SELECT ON session_clock.sessions FROM service_role;
SELECT object, role, may FROM regress_security.off_model ORDER BY 1, 2;
SELECT session_clock.apply_privileges();
SELECT count(*) AS off_model FROM regress_security.off_model;
ROLLBACK;
-- why: an object missing from the list, or a row naming nothing of the
-- extension, is refused (55000) with what is wrong, before any grant
-- changes.
BEGIN;
DELETE FROM session_clock.privileges WHERE object = 'session_clock.replay(uuid)';
INSERT INTO session_clock.privileges VALUES ('session_clock.replay(text)', 'function', 'owner'),
                                            ('pg_catalog.pg_class', 'relation', 'service_role');
GRANT EXECUTE ON FUNCTION session_clock.lock_unborn_session(uuid) TO PUBLIC;
SELECT * FROM pg_temp.try('SELECT session_clock.apply_privileges()');
SELECT has_function_privilege('public', 'session_clock.lock_unborn_session(uuid)', 'EXECUTE') AS still_public;
ROLLBACK;


------------------------------------------------------------------------------
-- (b) search_path hijack. regress_attacker may create in public (a common
-- misconfiguration, and PostgreSQL's default before 15) and plants look-alikes
-- of everything the extension uses unqualified-looking: clock functions,
-- "=" for uuid and text, and tables named like ours in public and pg_temp.
-- Every planted function writes to a log; the log must stay empty.
------------------------------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_attacker') THEN
        CREATE ROLE regress_attacker NOLOGIN;
    END IF;
END
$$;
GRANT CREATE ON SCHEMA public TO regress_attacker;
CREATE TABLE public.regress_hijack_log (what text NOT NULL);
GRANT SELECT, INSERT ON public.regress_hijack_log TO PUBLIC;

SET ROLE regress_attacker;
CREATE FUNCTION public.clock_timestamp() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.regress_hijack_log VALUES ('public.clock_timestamp()');
    RETURN '2000-01-01 00:00:00+00';
END $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.regress_hijack_log VALUES ('public.now()');
    RETURN '2000-01-01 00:00:00+00';
END $$;
CREATE FUNCTION public.statement_timestamp() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.regress_hijack_log VALUES ('public.statement_timestamp()');
    RETURN '2000-01-01 00:00:00+00';
END $$;
CREATE FUNCTION public.length(text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.regress_hijack_log VALUES ('public.length(text)');
    RETURN 1;
END $$;
CREATE FUNCTION public.date_part(text, timestamptz) RETURNS double precision LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.regress_hijack_log VALUES ('public.date_part(text, timestamptz)');
    RETURN 0;
END $$;
-- "=" that matches everything: a hijacked WHERE id = $1 would return any row.
CREATE FUNCTION public.regress_uuid_eq(uuid, uuid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.regress_hijack_log VALUES ('public.=(uuid, uuid)');
    RETURN true;
END $$;
CREATE OPERATOR public.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = public.regress_uuid_eq);
CREATE FUNCTION public.regress_text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.regress_hijack_log VALUES ('public.=(text, text)');
    RETURN true;
END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.regress_text_eq);
-- Tables named like ours, holding a fake clock and a fake host "mallory".
CREATE TABLE public.sessions (id uuid, started_at timestamptz, is_paused boolean, total_paused_ms bigint,
    last_state_change_at timestamptz, ended_at timestamptz, version bigint, created_at timestamptz);
CREATE TABLE public.session_members (session_id uuid, participant_id text, role text, added_at timestamptz);
CREATE TABLE public.session_events (session_id uuid, event text, version bigint);
INSERT INTO public.sessions VALUES ('b3000000-0000-4000-8000-000000000001', '2000-01-01', true, 0,
    '2000-01-01', NULL, 999, '2000-01-01');
INSERT INTO public.session_members VALUES ('b3000000-0000-4000-8000-000000000001', 'mallory', 'host', '2000-01-01');
CREATE TEMP TABLE sessions (LIKE public.sessions);
CREATE TEMP TABLE session_members (LIKE public.session_members);
CREATE TEMP TABLE session_events (LIKE public.session_events);
INSERT INTO pg_temp.sessions SELECT * FROM public.sessions;
INSERT INTO pg_temp.session_members SELECT * FROM public.session_members;
RESET ROLE;

-- The plants work where the search_path lets them: outside the extension.
SET search_path = public, pg_temp, pg_catalog;
SELECT clock_timestamp() = '2000-01-01 00:00:00+00' AS planted_clock,
       'b3000000-0000-4000-8000-000000000001'::uuid = 'b3000000-0000-4000-8000-000000000002'::uuid AS planted_uuid_eq,
       (SELECT version FROM sessions) AS planted_sessions;
SELECT what, count(*) FROM public.regress_hijack_log GROUP BY what ORDER BY what;
DELETE FROM public.regress_hijack_log;

-- The superuser, the worst victim, calls the RPCs under public-first. These
-- are the first RPC calls in this backend: every statement the extension
-- prepares (and caches) is planned here.
SELECT session_clock.server_now() > '2020-01-01' AS server_now_real,
       session_clock.server_now_ms() > 1577836800000 AS server_now_ms_real,
       (SELECT t.server_now > '2020-01-01' AND t.server_now_ms > 1577836800000 FROM session_clock_server_time() AS t)
           AS server_time_real;
SELECT (c).session_id, (c).started_at > '2020-01-01' AS started_real, (c).is_paused, (c).version, (c).changed
FROM session_clock_start('b3000000-0000-4000-8000-000000000001') AS c;
SELECT (c).session_id, (c).version, (c).changed
FROM session_clock_start('b3000000-0000-4000-8000-000000000002') AS c;
SELECT participant_id, role FROM session_clock_add_member('b3000000-0000-4000-8000-000000000001', 'alice', 'host');
SELECT participant_id, role FROM session_clock_add_member('b3000000-0000-4000-8000-000000000001', 'bob');
SELECT (c).session_id, (c).is_paused, (c).version, (c).server_now > '2020-01-01' AS server_now_real
FROM session_clock_get('b3000000-0000-4000-8000-000000000001') AS c;
SELECT (c).session_id, (c).is_paused, (c).version, (c).changed
FROM session_clock_pause('b3000000-0000-4000-8000-000000000001') AS c;
SELECT participant_id, role FROM session_clock_members('b3000000-0000-4000-8000-000000000001');
SELECT session_clock.caller_access('b3000000-0000-4000-8000-000000000001');
SELECT is_paused, version FROM session_clock.replay('b3000000-0000-4000-8000-000000000001');
SELECT session_clock_remove_member('b3000000-0000-4000-8000-000000000001', 'mallory') AS removed_mallory;
RESET search_path;

-- An end user, with pg_temp first: alice acts on her session, bob on
-- nothing he is not in; mallory (host of the planted tables) on nothing.
BEGIN;
SET LOCAL ROLE authenticated;
SET LOCAL search_path = pg_temp, public, pg_catalog;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) AS claims;
SELECT session_clock.caller_access('b3000000-0000-4000-8000-000000000001') AS alice_on_1,
       session_clock.caller_access('b3000000-0000-4000-8000-000000000002') AS alice_on_2;
SELECT (c).session_id, (c).is_paused, (c).version, (c).changed
FROM session_clock_resume('b3000000-0000-4000-8000-000000000001') AS c;
SELECT participant_id, role FROM session_clock_members('b3000000-0000-4000-8000-000000000001');
SELECT (c).session_id, (c).version, (c).changed
FROM session_clock_start('b3000000-0000-4000-8000-000000000003') AS c;
SELECT pg_temp.try_value($$SELECT (session_clock_get('b3000000-0000-4000-8000-000000000002')).version$$) AS alice_get_2;
SELECT set_config('request.jwt.claims', '{"sub":"mallory","role":"authenticated"}', true) AS claims;
SELECT pg_temp.try_value($$SELECT session_clock.caller_access('b3000000-0000-4000-8000-000000000001')$$) AS mallory_on_1,
       pg_temp.try_value($$SELECT (session_clock_stop('b3000000-0000-4000-8000-000000000001')).version$$) AS mallory_stop_1;
SELECT set_config('request.jwt.claims', '{"sub":"bob","role":"authenticated"}', true) AS claims;
SELECT pg_temp.try_value($$SELECT (session_clock_stop('b3000000-0000-4000-8000-000000000001')).version$$) AS bob_stop_1,
       pg_temp.try_value($$SELECT session_clock.caller_access('b3000000-0000-4000-8000-000000000002')$$) AS bob_on_2;
COMMIT;

-- Nothing planted ran, and nothing planted was written to.
SELECT count(*) AS planted_calls FROM public.regress_hijack_log;
SELECT (SELECT count(*) FROM public.sessions) AS public_sessions,
       (SELECT max(version) FROM public.sessions) AS public_version,
       (SELECT count(*) FROM public.session_members) AS public_members,
       (SELECT count(*) FROM public.session_events) AS public_events,
       (SELECT count(*) FROM pg_temp.sessions) AS temp_sessions,
       (SELECT count(*) FROM pg_temp.session_members) AS temp_members,
       (SELECT count(*) FROM pg_temp.session_events) AS temp_events;
-- The real rows are where they belong, with real times.
SELECT right(id::text, 1) AS session, is_paused, version, started_at > '2020-01-01' AS started_real,
       created_at > '2020-01-01' AS created_real
FROM session_clock.sessions WHERE id::text LIKE 'b3000000-%' ORDER BY id;
SELECT right(session_id::text, 1) AS session, participant_id, role, added_at > '2020-01-01' AS added_real
FROM session_clock.session_members WHERE session_id::text LIKE 'b3000000-%' ORDER BY session_id, participant_id;
SELECT right(session_id::text, 1) AS session, version, event, actor, actor_role, at > '2020-01-01' AS at_real
FROM session_clock.session_events WHERE session_id::text LIKE 'b3000000-%' ORDER BY session_id, version;

DROP TABLE pg_temp.sessions, pg_temp.session_members, pg_temp.session_events;
DROP OWNED BY regress_attacker;
REVOKE CREATE ON SCHEMA public FROM regress_attacker;
DROP ROLE regress_attacker;
DROP TABLE public.regress_hijack_log;

------------------------------------------------------------------------------
-- (c) request.jwt.claims garbage: no sub, so authenticated is refused (42501);
-- never a crash, never someone else.
------------------------------------------------------------------------------
CREATE FUNCTION regress_security.as_claims(p_claims text, p_session uuid) RETURNS text
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('request.jwt.claims', p_claims, true);
    RETURN pg_temp.try_value(format('SELECT session_clock.caller_access(%L)', p_session));
END
$$;

BEGIN;
SET LOCAL ROLE authenticated;
SELECT n, claims, regress_security.as_claims(claims, 'b3000000-0000-4000-8000-000000000001') AS caller_access
FROM (VALUES
    (1,  ''),
    (2,  'not json'),
    (3,  '{"sub":"alice"'),
    (4,  '{"sub":"alice",}'),
    (5,  '{''sub'':''alice''}'),
    (6,  '[{"sub":"alice"}]'),
    (7,  '["sub","alice"]'),
    (8,  '"alice"'),
    (9,  'null'),
    (10, 'true'),
    (11, '42'),
    (12, '{}'),
    (13, '{"sub":42}'),
    (14, '{"sub":1e400}'),
    (15, '{"sub":null}'),
    (16, '{"sub":true}'),
    (17, '{"sub":["alice"]}'),
    (18, '{"sub":{"id":"alice"}}'),
    (19, '{"sub":""}'),
    (20, '{"SUB":"alice"}'),
    (21, '{"user":{"sub":"alice"}}'),
    -- valid: JSON escapes are decoded; the last duplicate key wins, as in jsonb
    -- (alice is host of session 1, mallory is nobody)
    (22, '{"sub":"\u0061lice"}'),
    (23, '{"sub":"mallory","sub":"alice"}'),
    (24, '{"sub":"alice","sub":"mallory"}')
) AS t (n, claims)
ORDER BY n;

-- Oversized and deeply nested claims.
SELECT regress_security.as_claims('{"x":"' || repeat('y', 1000000) || '","sub":"alice"}',
                                  'b3000000-0000-4000-8000-000000000001') AS one_megabyte,
       regress_security.as_claims('{"x":' || repeat('[', 100000) || repeat(']', 100000) || ',"sub":"alice"}',
                                  'b3000000-0000-4000-8000-000000000001') AS nested_valid,
       regress_security.as_claims('{"x":' || repeat('[', 100000) || ',"sub":"alice"}',
                                  'b3000000-0000-4000-8000-000000000001') AS nested_unclosed,
       regress_security.as_claims('{"x":' || repeat('{"a":', 100000) || '1' || repeat('}', 100000) || ',"sub":"alice"}',
                                  'b3000000-0000-4000-8000-000000000001') AS nested_objects;

-- A sub with a NUL (\u0000) cannot be a PostgreSQL text value: it must not be
-- cut at the NUL and taken for "alice".
SELECT regress_security.as_claims('{"sub":"alice\u0000mallory"}', 'b3000000-0000-4000-8000-000000000001') AS nul_in_sub,
       regress_security.as_claims('{"sub":"\u0000"}', 'b3000000-0000-4000-8000-000000000001') AS only_nul;
-- Nor may it start a session and be recorded as "alice" (host, actor).
SELECT set_config('request.jwt.claims', '{"sub":"alice\u0000mallory"}', true) AS claims;
SELECT pg_temp.try_value($$SELECT (session_clock_start('b3000000-0000-4000-8000-000000000004')).version$$) AS nul_in_sub_start;
COMMIT;
SELECT count(*) AS sessions_started_by_nul_sub FROM session_clock.sessions WHERE id = 'b3000000-0000-4000-8000-000000000004';

-- With garbage claims, the legacy GUC still names the user.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claim.sub', 'alice', true) AS legacy_sub;
SELECT regress_security.as_claims('{"sub":42}', 'b3000000-0000-4000-8000-000000000001') AS sub_not_string,
       regress_security.as_claims('not json', 'b3000000-0000-4000-8000-000000000001') AS not_json;
COMMIT;

-- A garbage claim did not take the backend down, and changed nothing.
SELECT count(*) AS events FROM session_clock.session_events WHERE session_id::text LIKE 'b3000000-%';

-- A role whose name needs quoting is found as the role it is: one inheriting
-- authenticated acts as its sub (alice, in session 1 only); one inheriting
-- service_role is an admin.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_Quoted "user"') THEN
        CREATE ROLE "regress_Quoted ""user""" NOLOGIN IN ROLE authenticated;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_Service Like') THEN
        CREATE ROLE "regress_Service Like" NOLOGIN IN ROLE service_role;
    END IF;
END
$$;
BEGIN;
SET LOCAL ROLE "regress_Quoted ""user""";
SELECT set_config('request.jwt.claims', '{"sub":"alice"}', true) AS claims;
SELECT session_clock.caller_access('b3000000-0000-4000-8000-000000000001') AS quoted_alice_on_1,
       session_clock.caller_access('b3000000-0000-4000-8000-000000000002') AS quoted_alice_on_2;
SET LOCAL ROLE "regress_Service Like";
SELECT session_clock.caller_access('b3000000-0000-4000-8000-000000000002') AS service_like_on_2;
COMMIT;

-- Leave no sessions behind for the tests that run later.
DELETE FROM session_clock.sessions WHERE id::text LIKE 'b3000000-%';
DROP SCHEMA regress_security CASCADE;
