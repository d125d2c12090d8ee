-- presence: who may report presence and how (extension 1.1), every error
-- path with its SQLSTATE, counting a participant once across sources,
-- worker leases, and what a presence change leaves behind (events with the
-- participant, NOTIFY). The grace rule itself is grace.sql's.
--
--   22004  a required argument is NULL
--   22023  an invalid argument (participant id, source, worker id, reason, range)
--   42501  not allowed (end users: only themselves, only as members; anon: nothing;
--          worker functions: workers and admins only)
--   55000  a worker whose lease is not alive reports someone present
--   P0002  no session with that id
--
-- End users are driven as PostgREST does (see roles.sql): a transaction that
-- does SET LOCAL ROLE and sets request.jwt.claims locally.
--
-- Sessions (fixed ids):
--   ...0001  started by alice (authenticated), bob a participant
--   ...0002  sources and leases (admin)
--   ...0003  NOTIFY payloads (admin)
--   ...0009  never exists
\set s '66666666-0000-0000-0000-000000000001'
\set w '66666666-0000-0000-0000-000000000002'
\set n '66666666-0000-0000-0000-000000000003'
\set unknown '66666666-0000-0000-0000-000000000009'
\set w1 '6666eeee-0000-0000-0000-000000000001'
\set w2 '6666eeee-0000-0000-0000-000000000002'
\set w9 '6666eeee-0000-0000-0000-000000000009'

-- What an error must leave as it was: every table of the extension.
\i sql/include/try.sql

\i sql/include/session_log.sql

\i sql/include/listen.sql
SELECT * FROM pg_temp.received();

-- why: what reached the listener, checked in bulk against one session's
-- log: exactly its versions after p_after, once each, in version order,
-- each with its event's name, all from this backend, and nothing about
-- other sessions. Drains the queue.
CREATE FUNCTION pg_temp.announced(p_id uuid, p_after bigint DEFAULT 0, OUT notifications bigint,
        OUT each_version_once_in_order boolean, OUT event_names_match boolean, OUT all_ours boolean,
        OUT other_sessions bigint)
    LANGUAGE sql AS $$
        WITH r AS (SELECT row_number() OVER () AS n, * FROM pg_temp.received()),
             mine AS (SELECT * FROM r WHERE r.payload->>'session_id' = p_id::text)
        SELECT (SELECT count(*) FROM mine),
               (SELECT coalesce(array_agg((mine.payload->>'version')::bigint ORDER BY mine.n), '{}')
                FROM mine)
                   = (SELECT coalesce(array_agg(e.version ORDER BY e.version), '{}')
                      FROM session_clock.session_events e WHERE e.session_id = p_id AND e.version > p_after),
               (SELECT coalesce(bool_and(e.event = mine.payload->>'event'), true)
                FROM mine JOIN session_clock.session_events e
                     ON e.session_id = p_id AND e.version = (mine.payload->>'version')::bigint),
               (SELECT coalesce(bool_and(r.channel = 'session_clock' AND r.from_this_backend), true) FROM r),
               (SELECT count(*) FROM r WHERE r.payload->>'session_id' IS DISTINCT FROM p_id::text)
    $$;

------------------------------------------------------------------------------
-- End users report only themselves, and only as members
------------------------------------------------------------------------------
-- why: alice starts her session (she becomes its host) and adds bob; she
-- reports herself present (again: a no-op). Her report tracks the session.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) AS claims;
SELECT changed, version FROM session_clock_start(:'s');
SELECT participant_id, role FROM session_clock_add_member(:'s', 'bob');
SELECT changed, participants, version FROM session_clock_presence(:'s', 'alice', true);
SELECT changed, participants FROM session_clock_presence(:'s', 'alice', true);
-- why: reporting anyone else is refused, present or gone, member or not,
-- whatever case the id is written in.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000001', 'bob', true)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000001', 'bob', false)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000001', 'mallory', true)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000001', 'Alice', true)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
COMMIT;

-- why: bob, a participant, reports himself, and may configure the rule for
-- the session, as he may pause it (the same authorisation, by design: a
-- member who can pause the clock outright gains nothing from a long grace).
-- Only the database-wide defaults are superuser-only.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"bob","role":"authenticated"}', true) AS claims;
SELECT changed, participants FROM session_clock_presence(:'s', 'bob', true);
SELECT changed, participants FROM session_clock_presence(:'s', 'bob', false);
SELECT changed, min_participants, grace_ms FROM session_clock_configure(:'s', 0, 86400000);
COMMIT;

-- why: carol is not a member: not even herself; a session that does not
-- exist says so (the same as for the clock RPCs).
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"carol","role":"authenticated"}', true) AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000001', 'carol', true)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000001', 'carol', false)$$),
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000001', 2, 300)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000009', 'carol', true)$$),
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000009', 2, 300)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
COMMIT;

-- why: authenticated without a sub acts for nobody.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"role":"authenticated"}', true) AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000001', 'alice', true)$$),
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000001', 2, 300)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
COMMIT;

-- why: anon may call none of the presence functions, app or worker (a sub
-- in its claims changes nothing)...
BEGIN;
SET LOCAL ROLE anon;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"anon"}', true) AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000001', 'alice', true)$$),
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000001', 2, 300)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000001', 'alice', 'sql', NULL, true)$$),
    ($$SELECT session_clock.apply_due_deadlines()$$),
    ($$SELECT session_clock.worker_heartbeat('6666eeee-0000-0000-0000-000000000009', 1000)$$),
    ($$SELECT session_clock.worker_goodbye('6666eeee-0000-0000-0000-000000000009')$$),
    ($$SELECT session_clock.livekit_event('e', 'participant_joined', '66666666-0000-0000-0000-000000000001', 'RM', 'PA', 'alice')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
COMMIT;
-- ...and even if a DBA grants anon EXECUTE, the app functions refuse it.
BEGIN;
GRANT EXECUTE ON FUNCTION session_clock_presence(uuid, text, boolean),
    session_clock_configure(uuid, integer, integer, boolean) TO anon;
SET LOCAL ROLE anon;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"anon"}', true) AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000001', 'alice', true)$$),
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000001', 2, 300)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
ROLLBACK;

-- why: the worker functions are not for end users: authenticated has no
-- EXECUTE on them, even for its own presence.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000001', 'alice', 'sql', NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000001', 'alice', 'websocket', '6666eeee-0000-0000-0000-000000000009', true)$$),
    ($$SELECT session_clock.apply_due_deadlines()$$),
    ($$SELECT session_clock.apply_due_deadlines(1)$$),
    ($$SELECT session_clock.worker_heartbeat('6666eeee-0000-0000-0000-000000000009', 1000)$$),
    ($$SELECT session_clock.worker_goodbye('6666eeee-0000-0000-0000-000000000009')$$),
    ($$SELECT session_clock.livekit_event('e', 'participant_joined', '66666666-0000-0000-0000-000000000001', 'RM', 'PA', 'alice')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
COMMIT;
-- why: if a DBA grants them anyway, every worker function still refuses an
-- end user itself (the plpgsql ones through session_clock.require_admin()),
-- before changing anything.
BEGIN;
GRANT EXECUTE ON FUNCTION session_clock.record_presence(uuid, text, text, uuid, boolean, text),
    session_clock.apply_due_deadlines(integer), session_clock.worker_heartbeat(uuid, integer, text),
    session_clock.worker_goodbye(uuid), session_clock.livekit_event(text, text, uuid, text, text, text, text)
    TO authenticated;
SELECT registered FROM session_clock.worker_heartbeat(:'w9', 60000, 'a worker');
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000001', 'alice', 'sql', NULL, true)$$),
    ($$SELECT session_clock.apply_due_deadlines()$$),
    ($$SELECT session_clock.livekit_event('e1', 'participant_joined', '66666666-0000-0000-0000-000000000001', 'RM', 'PA', 'alice')$$),
    ($$SELECT session_clock.livekit_event('e2', 'room_finished', '66666666-0000-0000-0000-000000000001', 'RM', NULL, NULL)$$),
    ($$SELECT session_clock.worker_heartbeat('6666eeee-0000-0000-0000-000000000001', 1000)$$),
    ($$SELECT session_clock.worker_goodbye('6666eeee-0000-0000-0000-000000000009')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
ROLLBACK;

-- why: service_role is a worker's role: it records anyone's presence, for
-- any source, and applies deadlines (none is due).
BEGIN;
SET LOCAL ROLE service_role;
SELECT set_config('request.jwt.claims', '{"role":"service_role"}', true) AS claims;
SELECT changed, participants FROM session_clock.record_presence(:'s', 'bob', 'livekit', NULL, true, 'participant_joined');
SELECT changed, participants FROM session_clock.record_presence(:'s', 'bob', 'livekit', NULL, false);
SELECT applied FROM session_clock.apply_due_deadlines();
COMMIT;
-- why: the whole log: alice's presence tracked the session (default: 2
-- participants, so a deadline), bob's arrival cancelled it, his leave set
-- it again, his configure switched the rule off (cancelled); the worker's
-- reports name their reason. Every change was announced once.
SELECT version, event, reason, participant_id, actor, actor_role
FROM session_clock.session_events WHERE session_id = :'s' ORDER BY version;
SELECT * FROM pg_temp.announced(:'s');

------------------------------------------------------------------------------
-- Errors
------------------------------------------------------------------------------
-- Two workers: w1 with a live lease, w2 registered with the shortest lease
-- (1 s) and left to expire; w9 was never registered.
SELECT changed FROM session_clock_start(:'w');
SELECT * FROM pg_temp.announced(:'w');
-- A worker reports presence only for members (its clients' access was
-- checked; record_presence checks again under the row lock).
SELECT count(session_clock_add_member(:'w', m)) AS members FROM unnest(ARRAY['a', 'c', 'd', 'zed']) m;
SELECT registered FROM session_clock.worker_heartbeat(:'w1', 60000, 'worker 1');
SELECT registered FROM session_clock.worker_heartbeat(:'w2', 1000, 'worker 2');
SELECT pg_sleep(1.1);

-- why 22004: every argument but the worker id (sql, livekit) and the reason
-- is required; a NULL is rejected before anything else is looked at.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence(NULL, 'a', true)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000002', NULL, true)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000002', 'a', NULL)$$),
    ($$SELECT session_clock_presence(NULL, NULL, NULL)$$),
    ($$SELECT session_clock_configure(NULL)$$),
    ($$SELECT session_clock_configure(NULL, 2, 300)$$),
    ($$SELECT session_clock.record_presence(NULL, 'a', 'sql', NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', NULL, 'sql', NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', NULL, NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'sql', NULL, NULL)$$),
    ($$SELECT session_clock.worker_heartbeat(NULL, 1000)$$),
    ($$SELECT session_clock.worker_heartbeat('6666eeee-0000-0000-0000-000000000001', NULL)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why: a NULL limit is the default limit, not an error (nothing is due);
-- a NULL worker is an error, as for worker_heartbeat.
SELECT applied FROM session_clock.apply_due_deadlines(NULL);
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.worker_goodbye(NULL)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why 22023: a participant id is 1 to 200 characters, not blank, without
-- control characters, for apps and workers alike.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000002', '', true)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000002', '   ', true)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000002', E'\t', false)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000002', repeat('x', 201), true)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000002', repeat('é', 201), true)$$),
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000002', E'a\nb', true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', '', 'sql', NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', repeat('x', 201), 'livekit', NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', E'esc \x1b[31m', 'websocket', '6666eeee-0000-0000-0000-000000000001', true)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why 22023: the source is one of three names, exactly; a worker id goes
-- with source websocket and only with it; the reason follows the rules of
-- the clock RPCs' reasons.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'http', NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'SQL', NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', '', NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'websocket', NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'websocket', NULL, false)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'sql', '6666eeee-0000-0000-0000-000000000001', true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'livekit', '6666eeee-0000-0000-0000-000000000001', true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'sql', NULL, true, '')$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'sql', NULL, true, repeat('r', 201))$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'sql', NULL, true, E'a\nb')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why 22023: out of range: min_participants 0..10000, grace_ms
-- 0..86400000 (24 h), a lease 1000..600000 ms, a limit 1..100000.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000002', -1)$$),
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000002', 10001)$$),
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000002', NULL, -1)$$),
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000002', NULL, 86400001)$$),
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000002', 2, -2147483648)$$),
    ($$SELECT session_clock.worker_heartbeat('6666eeee-0000-0000-0000-000000000001', 999)$$),
    ($$SELECT session_clock.worker_heartbeat('6666eeee-0000-0000-0000-000000000001', 600001)$$),
    ($$SELECT session_clock.apply_due_deadlines(0)$$),
    ($$SELECT session_clock.apply_due_deadlines(100001)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why: and arguments are checked before the session is looked at: an
-- invalid one is 22023 even on a session that does not exist.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_presence('66666666-0000-0000-0000-000000000009', '', true)$$),
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000009', -1)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000009', 'a', 'ftp', NULL, true)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why 55000: a worker reports a client present only while its lease is
-- alive: w2's expired, w9 never registered. Reporting a client gone needs
-- no lease (shown below: the sweep does exactly that).
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'websocket', '6666eeee-0000-0000-0000-000000000002', true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000002', 'a', 'websocket', '6666eeee-0000-0000-0000-000000000009', true)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why P0002: the functions that act on an existing session say so (an
-- admin's session_clock_presence is kept for the session's start instead:
-- early_presence.sql).
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_configure('66666666-0000-0000-0000-000000000009', 2, 300)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000009', 'a', 'sql', NULL, true)$$),
    ($$SELECT session_clock.record_presence('66666666-0000-0000-0000-000000000009', 'a', 'websocket', '6666eeee-0000-0000-0000-000000000001', true)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
SELECT count(*) AS unknown_rows FROM session_clock.sessions WHERE id = :'unknown';
-- why: no error above sent a NOTIFY.
SELECT count(*) AS notifications FROM pg_temp.received();

------------------------------------------------------------------------------
-- One participant, several sources
------------------------------------------------------------------------------
-- why: the rule is off here (min 0) so only presence shows in the log. a
-- comes through SQL, then also through w1's WebSocket and through LiveKit:
-- one participant, one join; a leaves only when the last source is gone.
-- changed says whether a's presence changed, not whether a row did.
SELECT changed, min_participants FROM session_clock_configure(:'w', 0);
SELECT changed, participants, version FROM session_clock.record_presence(:'w', 'a', 'sql', NULL, true);
SELECT changed, participants, version FROM session_clock.record_presence(:'w', 'a', 'websocket', :'w1', true);
SELECT changed, participants, version FROM session_clock.record_presence(:'w', 'a', 'livekit', NULL, true);
SELECT source, worker_id IS NOT NULL AS has_worker FROM session_clock.presence WHERE session_id = :'w' ORDER BY source;
-- why: the same report again changes nothing, not even a version.
SELECT changed, participants, version FROM session_clock.record_presence(:'w', 'a', 'livekit', NULL, true);
-- why: the app's report is the sql source: a gone from SQL, still present.
SELECT changed, participants, version FROM session_clock_presence(:'w', 'a', false);
SELECT changed, participants, version FROM session_clock.record_presence(:'w', 'a', 'websocket', :'w1', false);
SELECT changed, participants, version FROM session_clock.record_presence(:'w', 'a', 'livekit', NULL, false, 'participant_left');
-- why: gone already: a no-op.
SELECT changed, participants, version FROM session_clock.record_presence(:'w', 'a', 'livekit', NULL, false);
SELECT count(*) AS presence_rows FROM session_clock.presence WHERE session_id = :'w';
-- why: the join names the source it came through, the leave the reason given.
SELECT * FROM pg_temp.events(:'w', 2);

-- why: participants counts distinct people over all sources.
SELECT changed, participants FROM session_clock.record_presence(:'w', 'a', 'sql', NULL, true);
SELECT changed, participants FROM session_clock.record_presence(:'w', 'b', 'livekit', NULL, true);
SELECT changed, participants FROM session_clock.record_presence(:'w', 'b', 'sql', NULL, true);
SELECT changed, participants FROM session_clock.record_presence(:'w', 'zed', 'websocket', :'w1', true);
SELECT s.participants, (SELECT count(DISTINCT p.participant_id) FROM session_clock.presence p WHERE p.session_id = s.id) AS distinct_present,
       (SELECT count(*) FROM session_clock.presence p WHERE p.session_id = s.id) AS rows
FROM session_clock.sessions s WHERE s.id = :'w';
-- why: an admin reports anyone through SQL or LiveKit (b is no member); a
-- worker's WebSocket clients are members (zed is).
SELECT string_agg(p.source || ':' || p.participant_id, ' ' ORDER BY p.source) AS present_without_membership
FROM session_clock.presence p
WHERE p.session_id = :'w'
  AND NOT EXISTS (SELECT FROM session_clock.session_members m
                  WHERE m.session_id = p.session_id AND m.participant_id = p.participant_id);

------------------------------------------------------------------------------
-- Worker leases
------------------------------------------------------------------------------
-- why: a heartbeat registers a worker (registered = t, above) and then
-- renews it (registered = f: its clients' presence is still there). Each
-- heartbeat also sweeps: w2's lease ran out during the error cases, with
-- no clients, so w2 is simply forgotten...
SELECT * FROM session_clock.worker_heartbeat(:'w1', 60000, 'worker 1');
SELECT id = :'w1' AS is_w1, description FROM session_clock.workers ORDER BY id;
-- ...and its next heartbeat registers it anew. With a short lease again, it
-- reports c (also present through SQL) and d, then lets the lease run out.
SELECT * FROM session_clock.worker_heartbeat(:'w2', 1000, 'worker 2');
SELECT changed, participants FROM session_clock.record_presence(:'w', 'c', 'sql', NULL, true);
SELECT changed, participants FROM session_clock.record_presence(:'w', 'c', 'websocket', :'w2', true);
SELECT changed, participants FROM session_clock.record_presence(:'w', 'd', 'websocket', :'w2', true);
SELECT pg_sleep(1.1);
-- why: the expired worker's clients are still counted until someone sweeps:
-- w1's heartbeat does, ending both of w2's rows (reason lease_expired); d
-- leaves, c stays (SQL); w2 itself is forgotten.
SELECT participants FROM session_clock_get(:'w');
SELECT * FROM session_clock.worker_heartbeat(:'w1', 60000);
SELECT participants FROM session_clock_get(:'w');
SELECT * FROM pg_temp.events(:'w', 7);
SELECT id = :'w1' AS is_w1, description FROM session_clock.workers ORDER BY id;
SELECT count(*) AS rows_of_w2 FROM session_clock.presence WHERE worker_id = :'w2';
-- why: a sweep with nothing expired ends nobody.
SELECT * FROM session_clock.worker_heartbeat(:'w1', 60000);
-- why: w2 comes back after being swept: registered = t, so it knows to
-- report its clients again.
SELECT * FROM session_clock.worker_heartbeat(:'w2', 60000, 'worker 2 again');
SELECT changed, participants FROM session_clock.record_presence(:'w', 'd', 'websocket', :'w2', true);

-- why: worker_goodbye ends its clients now (reason worker_stopped) and
-- forgets the worker; a second goodbye has nothing to do. zed (w1's only
-- client) leaves; d leaves with w2.
SELECT session_clock.worker_goodbye(:'w1') AS ended;
SELECT session_clock.worker_goodbye(:'w1') AS ended_again;
SELECT session_clock.worker_goodbye(:'w2') AS ended;
SELECT * FROM pg_temp.events(:'w', 10);
SELECT count(*) AS workers FROM session_clock.workers WHERE id IN (:'w1', :'w2');
SELECT participant_id, source FROM session_clock.presence WHERE session_id = :'w' ORDER BY 1, 2;
SELECT s.participants, s.version,
       (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.ended_at, r.version)
           IS NOT DISTINCT FROM (s.is_paused, s.total_paused_ms, s.last_state_change_at, s.ended_at, s.version)
           AS replay_matches
FROM session_clock.sessions s, session_clock.replay(s.id) r WHERE s.id = :'w';

------------------------------------------------------------------------------
-- What a presence change announces
------------------------------------------------------------------------------
-- why: the session's changes above were all announced, once each (the
-- start was drained before the errors).
SELECT * FROM pg_temp.announced(:'w', 1);

-- why: each presence or grace event is a NOTIFY like a clock change: its
-- event name, the session and the new version (with the grace rule on:
-- min 2, a long grace). A report that changes nobody's presence is silent.
SELECT changed, version FROM session_clock_start(:'n');
SELECT changed, version FROM session_clock_configure(:'n', 2, 60000);
SELECT changed, version FROM session_clock.record_presence(:'n', 'a', 'sql', NULL, true);
SELECT changed, version FROM session_clock.record_presence(:'n', 'a', 'livekit', NULL, true);
SELECT changed, version FROM session_clock.record_presence(:'n', 'b', 'sql', NULL, true);
SELECT changed, version FROM session_clock.record_presence(:'n', 'b', 'sql', NULL, false);
SELECT * FROM pg_temp.received();
-- why: inside a transaction they arrive at commit, in order; a rollback
-- sends nothing.
BEGIN;
SELECT changed, version FROM session_clock.record_presence(:'n', 'b', 'sql', NULL, true);
SELECT * FROM pg_temp.received();
COMMIT;
SELECT * FROM pg_temp.received();
BEGIN;
SELECT changed, version FROM session_clock.record_presence(:'n', 'b', 'sql', NULL, false);
ROLLBACK;
SELECT * FROM pg_temp.received();
SELECT version, participants FROM session_clock.sessions WHERE id = :'n';
SELECT * FROM pg_temp.events(:'n');

-- Leave no sessions or workers behind for the tests that run later.
DELETE FROM session_clock.sessions WHERE id::text LIKE '66666666-%';
DELETE FROM session_clock.workers WHERE id::text LIKE '6666eeee-%';
\i sql/include/unlisten.sql
