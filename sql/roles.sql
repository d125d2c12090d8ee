-- Who may do what: the role matrix as PostgREST drives it. Every request is a
-- transaction that does SET LOCAL ROLE and sets request.jwt.claims locally.
--
-- Expected errors go through pg_temp.try_text() (include/try_text.sql), which
-- runs a statement in a subtransaction and answers 'ok (N rows)' or
-- 'ERROR <SQLSTATE>: <message>': the SQLSTATE is pinned without psql's
-- source-file LOCATION lines, and an error leaves nothing behind (the
-- subtransaction rolls back).
--
-- Sessions (fixed ids):
--   ...0001  started by alice (authenticated); bob is a participant
--   ...0002  started by the superuser, no members
--   ...0003  started by service_role
--   ...0004  started by regress_app (a plain role granted EXECUTE), no sub
--   ...0005  started by regress_app acting for the sub "dave"
--   ...0006  started by authenticated with the legacy request.jwt.claim.sub
--   ...0009  never exists

CREATE SCHEMA regress_roles;
GRANT USAGE ON SCHEMA regress_roles TO PUBLIC;
\i sql/include/try_text.sql

-- Every clock/member function, called on session $1 (caller_access shows its
-- answer, the others 'ok (N rows)' or the error).
CREATE FUNCTION regress_roles.matrix(p_session uuid)
    RETURNS TABLE (n int, call text, result text)
    LANGUAGE sql AS $$
    SELECT c.n, c.call,
           CASE WHEN c.n = 9 THEN pg_temp.try_value(pg_catalog.format(c.q, p_session))
                ELSE pg_temp.try_text(pg_catalog.format(c.q, p_session)) END
    FROM (VALUES
        (1,  'session_clock_start',         $q$SELECT session_clock_start(%L)$q$),
        (2,  'session_clock_get',           $q$SELECT session_clock_get(%L)$q$),
        (3,  'session_clock_pause',         $q$SELECT session_clock_pause(%L)$q$),
        (4,  'session_clock_resume',        $q$SELECT session_clock_resume(%L)$q$),
        (5,  'session_clock_stop',          $q$SELECT session_clock_stop(%L)$q$),
        (6,  'session_clock_add_member',    $q$SELECT session_clock_add_member(%L, 'mallory')$q$),
        (7,  'session_clock_remove_member', $q$SELECT session_clock_remove_member(%L, 'mallory')$q$),
        (8,  'session_clock_members',       $q$SELECT * FROM session_clock_members(%L)$q$),
        (9,  'session_clock.caller_access', $q$SELECT session_clock.caller_access(%L)$q$),
        (10, 'session_clock.replay',        $q$SELECT * FROM session_clock.replay(%L)$q$)
    ) AS c (n, call, q)
    ORDER BY c.n
$$;

-- A plain PostgreSQL application role, granted EXECUTE by the DBA.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_app') THEN
        CREATE ROLE regress_app NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_nobody') THEN
        CREATE ROLE regress_nobody NOLOGIN;
    END IF;
END
$$;
GRANT EXECUTE ON FUNCTION session_clock_start(uuid), session_clock_get(uuid),
    session_clock_pause(uuid, text), session_clock_resume(uuid, text), session_clock_stop(uuid, text),
    session_clock_add_member(uuid, text, text), session_clock_remove_member(uuid, text),
    session_clock_members(uuid), session_clock.caller_access(uuid), session_clock.replay(uuid)
    TO regress_app;

-- A session with no members, owned by nobody in particular.
SELECT (c).version, (c).changed
FROM session_clock_start('b2000000-0000-4000-8000-000000000002') AS c;

------------------------------------------------------------------------------
-- anon: no EXECUTE on anything that touches a clock or its members.
------------------------------------------------------------------------------
BEGIN;
SET LOCAL ROLE anon;
SELECT set_config('request.jwt.claims', '{"role":"anon"}', true) AS claims;
SELECT call, result FROM regress_roles.matrix('b2000000-0000-4000-8000-000000000002');
-- A sub in the claims changes nothing for anon.
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"anon"}', true) AS claims;
SELECT call, result FROM regress_roles.matrix('b2000000-0000-4000-8000-000000000002');
-- The server-time functions are anon's to call.
SELECT session_clock.server_now() IS NOT NULL AS server_now,
       session_clock.server_now_ms() > 0 AS server_now_ms,
       session_clock.server_time_status() ? 'is_synced' AS server_time_status,
       (SELECT t.server_now IS NOT NULL AND t.server_now_ms > 0 AND t.status ? 'is_synced'
        FROM session_clock_server_time() AS t) AS session_clock_server_time;
-- No table either.
SELECT pg_temp.try_text('SELECT * FROM session_clock.sessions') AS sessions,
       pg_temp.try_text('SELECT * FROM session_clock.session_members') AS members,
       pg_temp.try_text('SELECT * FROM session_clock.session_events') AS events;
COMMIT;

-- Second line of defence: even if a DBA grants anon EXECUTE, the function
-- itself refuses anon, claims or not.
BEGIN;
GRANT EXECUTE ON FUNCTION session_clock_get(uuid), session_clock_start(uuid),
    session_clock.caller_access(uuid) TO anon;
SET LOCAL ROLE anon;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"anon"}', true) AS claims;
SELECT pg_temp.try_text($$SELECT session_clock_get('b2000000-0000-4000-8000-000000000002')$$) AS get,
       pg_temp.try_text($$SELECT session_clock_start('b2000000-0000-4000-8000-000000000008')$$) AS start_new,
       pg_temp.try_text($$SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000002')$$) AS caller_access;
ROLLBACK;

------------------------------------------------------------------------------
-- authenticated without a sub: nobody to act for.
------------------------------------------------------------------------------
BEGIN;
SET LOCAL ROLE authenticated;
SELECT call, result FROM regress_roles.matrix('b2000000-0000-4000-8000-000000000002');
COMMIT;

BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"role":"authenticated"}', true) AS claims;
SELECT call, result FROM regress_roles.matrix('b2000000-0000-4000-8000-000000000002');
-- Nor does a new session get created for nobody.
SELECT pg_temp.try_text($$SELECT session_clock_start('b2000000-0000-4000-8000-000000000008')$$) AS start_new;
COMMIT;

BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"","role":"authenticated"}', true) AS claims;
SELECT pg_temp.try_text($$SELECT session_clock_get('b2000000-0000-4000-8000-000000000002')$$) AS empty_sub;
COMMIT;

SELECT count(*) AS sessions_created_for_nobody
FROM session_clock.sessions WHERE id = 'b2000000-0000-4000-8000-000000000008';

------------------------------------------------------------------------------
-- authenticated as alice: starting a new session makes her its host.
------------------------------------------------------------------------------
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) AS claims;
SELECT (c).session_id, (c).is_paused, (c).version, (c).changed
FROM session_clock_start('b2000000-0000-4000-8000-000000000001') AS c;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000001');
SELECT participant_id, role FROM session_clock_members('b2000000-0000-4000-8000-000000000001');
SELECT participant_id, role FROM session_clock_add_member('b2000000-0000-4000-8000-000000000001', 'bob');
SELECT participant_id, role FROM session_clock_members('b2000000-0000-4000-8000-000000000001');
-- Starting again is a no-op for a member.
SELECT (c).version, (c).changed FROM session_clock_start('b2000000-0000-4000-8000-000000000001') AS c;
SELECT (c).is_paused, (c).version FROM session_clock_get('b2000000-0000-4000-8000-000000000001') AS c;
SELECT (c).is_paused, (c).version, (c).changed
FROM session_clock_pause('b2000000-0000-4000-8000-000000000001', 'alice pauses') AS c;
SELECT (c).is_paused, (c).version, (c).changed
FROM session_clock_resume('b2000000-0000-4000-8000-000000000001') AS c;
SELECT is_paused, version FROM session_clock.replay('b2000000-0000-4000-8000-000000000001');
-- A session she is not in, and one that does not exist.
SELECT call, result FROM regress_roles.matrix('b2000000-0000-4000-8000-000000000002');
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000009') IS NULL AS unknown_session_access;
SELECT pg_temp.try_text($$SELECT session_clock_get('b2000000-0000-4000-8000-000000000009')$$) AS get_unknown;
COMMIT;

------------------------------------------------------------------------------
-- authenticated as bob, a participant: may read, pause and resume; may not
-- stop or manage members.
------------------------------------------------------------------------------
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"bob","role":"authenticated"}', true) AS claims;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000001');
SELECT (c).version, (c).changed FROM session_clock_start('b2000000-0000-4000-8000-000000000001') AS c;
SELECT (c).is_paused, (c).version FROM session_clock_get('b2000000-0000-4000-8000-000000000001') AS c;
SELECT (c).is_paused, (c).version, (c).changed
FROM session_clock_pause('b2000000-0000-4000-8000-000000000001', 'bob pauses') AS c;
SELECT (c).is_paused, (c).version, (c).changed
FROM session_clock_resume('b2000000-0000-4000-8000-000000000001') AS c;
SELECT participant_id, role FROM session_clock_members('b2000000-0000-4000-8000-000000000001');
SELECT is_paused, version FROM session_clock.replay('b2000000-0000-4000-8000-000000000001');
SELECT pg_temp.try_text($$SELECT session_clock_stop('b2000000-0000-4000-8000-000000000001')$$) AS stop,
       pg_temp.try_text($$SELECT session_clock_add_member('b2000000-0000-4000-8000-000000000001', 'mallory')$$) AS add_member,
       pg_temp.try_text($$SELECT session_clock_add_member('b2000000-0000-4000-8000-000000000001', 'bob', 'host')$$) AS promote_self,
       pg_temp.try_text($$SELECT session_clock_remove_member('b2000000-0000-4000-8000-000000000001', 'alice')$$) AS remove_host,
       pg_temp.try_text($$SELECT session_clock_remove_member('b2000000-0000-4000-8000-000000000001', 'bob')$$) AS remove_self;
COMMIT;

------------------------------------------------------------------------------
-- authenticated as carol, not a member: nothing on alice's session.
------------------------------------------------------------------------------
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"carol","role":"authenticated"}', true) AS claims;
SELECT call, result FROM regress_roles.matrix('b2000000-0000-4000-8000-000000000001');
COMMIT;

-- A role claim naming a stronger role changes nothing: the acting role decides.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"carol","role":"service_role"}', true) AS claims;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000001') IS NULL AS carol_still_nobody,
       pg_temp.try_text($$SELECT session_clock_stop('b2000000-0000-4000-8000-000000000001')$$) AS stop;
COMMIT;

-- Nor does an application's SECURITY DEFINER wrapper owned by a superuser:
-- the function still sees the acting role.
CREATE FUNCTION regress_roles.definer_get(p uuid) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT (public.session_clock_get(p)).version $$;
GRANT EXECUTE ON FUNCTION regress_roles.definer_get(uuid) TO authenticated, anon;
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"carol","role":"authenticated"}', true) AS claims;
SELECT pg_temp.try_text($$SELECT regress_roles.definer_get('b2000000-0000-4000-8000-000000000001')$$) AS carol_via_definer;
SELECT set_config('request.jwt.claims', '{"sub":"bob","role":"authenticated"}', true) AS claims;
SELECT regress_roles.definer_get('b2000000-0000-4000-8000-000000000001') AS bob_via_definer;
COMMIT;
BEGIN;
SET LOCAL ROLE anon;
SELECT pg_temp.try_text($$SELECT regress_roles.definer_get('b2000000-0000-4000-8000-000000000001')$$) AS anon_via_definer;
COMMIT;

-- carol's own new session makes her its host; alice is not in it.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"carol","role":"authenticated"}', true) AS claims;
SELECT (c).version, (c).changed FROM session_clock_start('b2000000-0000-4000-8000-000000000007') AS c;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000007');
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) AS claims;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000007') IS NULL AS alice_not_in_carols;
COMMIT;

-- alice, the host, stops her session; bob can still read it, not revive it.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) AS claims;
SELECT (c).version, (c).changed, (c).ended_at IS NOT NULL AS ended
FROM session_clock_stop('b2000000-0000-4000-8000-000000000001', 'done') AS c;
COMMIT;
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"bob","role":"authenticated"}', true) AS claims;
SELECT (c).version, (c).ended_at IS NOT NULL AS ended FROM session_clock_get('b2000000-0000-4000-8000-000000000001') AS c;
SELECT pg_temp.try_text($$SELECT session_clock_resume('b2000000-0000-4000-8000-000000000001')$$) AS resume,
       pg_temp.try_text($$SELECT session_clock_start('b2000000-0000-4000-8000-000000000001')$$) AS restart;
COMMIT;

------------------------------------------------------------------------------
-- service_role: admin on every session, no membership needed.
------------------------------------------------------------------------------
BEGIN;
SET LOCAL ROLE service_role;
SELECT set_config('request.jwt.claims', '{"role":"service_role"}', true) AS claims;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000001') AS on_alices,
       session_clock.caller_access('b2000000-0000-4000-8000-000000000002') AS on_memberless,
       session_clock.caller_access('b2000000-0000-4000-8000-000000000009') IS NULL AS on_unknown;
SELECT (c).version, (c).changed FROM session_clock_start('b2000000-0000-4000-8000-000000000003') AS c;
SELECT count(*) AS members_of_new FROM session_clock_members('b2000000-0000-4000-8000-000000000003');
SELECT (c).is_paused, (c).version, (c).changed FROM session_clock_pause('b2000000-0000-4000-8000-000000000002') AS c;
SELECT participant_id, role FROM session_clock_add_member('b2000000-0000-4000-8000-000000000002', 'erin', 'host');
SELECT participant_id, role FROM session_clock_members('b2000000-0000-4000-8000-000000000002');
SELECT session_clock_remove_member('b2000000-0000-4000-8000-000000000002', 'erin') AS removed;
SELECT (c).version, (c).changed FROM session_clock_stop('b2000000-0000-4000-8000-000000000003') AS c;
SELECT is_paused, version, ended_at IS NOT NULL AS ended FROM session_clock.replay('b2000000-0000-4000-8000-000000000003');
-- service_role reads the tables directly (billing); it may not write them.
SELECT count(*) AS sessions FROM session_clock.sessions WHERE id = 'b2000000-0000-4000-8000-000000000003';
SELECT pg_temp.try_text($$UPDATE session_clock.sessions SET version = 99$$) AS update_sessions,
       pg_temp.try_text($$DELETE FROM session_clock.session_events$$) AS delete_events;
COMMIT;

-- A sub in service_role's claims does not restrict it.
BEGIN;
SET LOCAL ROLE service_role;
SELECT set_config('request.jwt.claims', '{"sub":"carol","role":"service_role"}', true) AS claims;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000002') AS with_sub;
SELECT (c).is_paused, (c).version, (c).changed FROM session_clock_resume('b2000000-0000-4000-8000-000000000002') AS c;
COMMIT;

-- authenticator, the login role, acts only through SET ROLE.
BEGIN;
SET LOCAL ROLE authenticator;
SELECT call, result FROM regress_roles.matrix('b2000000-0000-4000-8000-000000000002') WHERE n IN (1, 2, 9);
COMMIT;

------------------------------------------------------------------------------
-- Plain PostgreSQL: a role granted EXECUTE acts as an admin for itself...
------------------------------------------------------------------------------
BEGIN;
SET LOCAL ROLE regress_app;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000007') AS on_carols;
SELECT (c).version, (c).changed FROM session_clock_start('b2000000-0000-4000-8000-000000000004') AS c;
SELECT count(*) AS members_of_new FROM session_clock_members('b2000000-0000-4000-8000-000000000004');
SELECT (c).is_paused, (c).version, (c).changed FROM session_clock_pause('b2000000-0000-4000-8000-000000000007') AS c;
SELECT (c).is_paused, (c).version, (c).changed FROM session_clock_resume('b2000000-0000-4000-8000-000000000007') AS c;
SELECT participant_id, role FROM session_clock_add_member('b2000000-0000-4000-8000-000000000004', 'frank');
-- ...but not on the tables, which it was not granted.
SELECT pg_temp.try_text('SELECT * FROM session_clock.sessions') AS sessions;
COMMIT;

-- ...and, given claims with a sub, acts for that end user only.
BEGIN;
SET LOCAL ROLE regress_app;
SELECT set_config('request.jwt.claims', '{"sub":"dave"}', true) AS claims;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000007') IS NULL AS dave_on_carols;
SELECT call, result FROM regress_roles.matrix('b2000000-0000-4000-8000-000000000004');
SELECT (c).version, (c).changed FROM session_clock_start('b2000000-0000-4000-8000-000000000005') AS c;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000005');
SELECT (c).is_paused, (c).changed FROM session_clock_pause('b2000000-0000-4000-8000-000000000005') AS c;
SELECT participant_id, role FROM session_clock_members('b2000000-0000-4000-8000-000000000005');
COMMIT;

-- A role without EXECUTE gets nothing, claims or not.
BEGIN;
SET LOCAL ROLE regress_nobody;
SELECT call, result FROM regress_roles.matrix('b2000000-0000-4000-8000-000000000002') WHERE n IN (1, 2, 9);
COMMIT;

-- The superuser is an admin even with a sub in the claims.
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub":"carol"}', true) AS claims;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000005') AS superuser_with_sub;
COMMIT;

------------------------------------------------------------------------------
-- Older PostgREST: one GUC per claim (request.jwt.claim.sub).
------------------------------------------------------------------------------
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claim.sub', 'alice', true) AS legacy_sub;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000001') AS alice_on_hers,
       session_clock.caller_access('b2000000-0000-4000-8000-000000000007') IS NULL AS alice_not_on_carols;
SELECT (c).version, (c).changed FROM session_clock_start('b2000000-0000-4000-8000-000000000006') AS c;
SELECT participant_id, role FROM session_clock_members('b2000000-0000-4000-8000-000000000006');
SELECT pg_temp.try_text($$SELECT session_clock_get('b2000000-0000-4000-8000-000000000007')$$) AS get_carols;
COMMIT;

-- request.jwt.claims wins over the legacy GUC when both are set.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claim.sub', 'alice', true) AS legacy_sub;
SELECT set_config('request.jwt.claims', '{"sub":"carol","role":"authenticated"}', true) AS claims;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000007') AS carol_on_hers,
       session_clock.caller_access('b2000000-0000-4000-8000-000000000006') IS NULL AS carol_not_on_alices;
COMMIT;

-- Claims are transaction-local: the next request without them is nobody again.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT pg_temp.try_text($$SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000006')$$) AS next_request;
COMMIT;

------------------------------------------------------------------------------
-- Supabase-style custom API roles inherit authenticated (or anon): they are
-- restricted like those, never admins.
------------------------------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_api_user') THEN
        CREATE ROLE regress_api_user NOLOGIN INHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_api_guest') THEN
        CREATE ROLE regress_api_guest NOLOGIN INHERIT;
    END IF;
END
$$;
GRANT authenticated TO regress_api_user;
GRANT anon TO regress_api_guest;

BEGIN;
SET LOCAL ROLE regress_api_user;
SELECT pg_temp.try_text($$SELECT session_clock_stop('b2000000-0000-4000-8000-000000000002')$$) AS no_sub_stop;
SELECT set_config('request.jwt.claims', '{"sub":"alice"}', true) AS claims;
SELECT session_clock.caller_access('b2000000-0000-4000-8000-000000000001') AS alice_via_custom_role,
       session_clock.caller_access('b2000000-0000-4000-8000-000000000002') IS NULL AS not_admin;
COMMIT;

BEGIN;
SET LOCAL ROLE regress_api_guest;
SELECT pg_temp.try_text($$SELECT session_clock_get('b2000000-0000-4000-8000-000000000002')$$) AS guest_get;
COMMIT;

-- A sub that could not be a participant id is refused, never stored.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', json_build_object('sub', repeat('x', 201))::text, true) IS NOT NULL AS long_claims;
SELECT pg_temp.try_text($$SELECT session_clock_start('b2000000-0000-4000-8000-00000000000a')$$) AS long_sub;
SELECT set_config('request.jwt.claims', '{"sub":"a\nb"}', true) IS NOT NULL AS control_claims;
SELECT pg_temp.try_text($$SELECT session_clock_start('b2000000-0000-4000-8000-00000000000a')$$) AS control_sub;
SELECT set_config('request.jwt.claims', '{"sub":"   "}', true) IS NOT NULL AS blank_claims;
SELECT pg_temp.try_text($$SELECT session_clock_start('b2000000-0000-4000-8000-00000000000a')$$) AS blank_sub;
COMMIT;

------------------------------------------------------------------------------
-- Who did it: actor is the sub for end users, the role name for admins;
-- actor_role is always the acting database role.
------------------------------------------------------------------------------
SELECT right(session_id::text, 1) AS session, version, event, reason, actor, actor_role
FROM session_clock.session_events
WHERE session_id::text LIKE 'b2000000-%'
ORDER BY session_id, version;

-- Errors left nothing behind: no member "mallory", no session 8 or 9.
SELECT count(*) AS mallory FROM session_clock.session_members
WHERE participant_id = 'mallory' AND session_id::text LIKE 'b2000000-%';
SELECT right(id::text, 1) AS session, is_paused, version, ended_at IS NOT NULL AS ended
FROM session_clock.sessions WHERE id::text LIKE 'b2000000-%' ORDER BY id;
SELECT right(session_id::text, 1) AS session, participant_id, role
FROM session_clock.session_members WHERE session_id::text LIKE 'b2000000-%'
ORDER BY session_id, participant_id;

-- Leave no sessions behind for the tests that run later.
DELETE FROM session_clock.sessions WHERE id::text LIKE 'b2000000-%';
DROP SCHEMA regress_roles CASCADE;
DROP OWNED BY regress_app, regress_nobody, regress_api_user, regress_api_guest;
DROP ROLE regress_app, regress_nobody, regress_api_user, regress_api_guest;
