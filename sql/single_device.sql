-- single_device: seed 003's "one person, one device" (1.3).
-- session_clock_configure gains p_single_device; every 1.1 call, positional
-- or named, still resolves to the one function. In a single-device session
-- a worker claims each user's newest connection (claim_device): the claims
-- are numbered in commit order and announced (NOTIFY device_claimed), and
-- the other workers drop the user's older connections. Elsewhere a claim
-- does nothing.
\set s '5d5d5d5d-0000-0000-0000-000000000001'
\set plain '5d5d5d5d-0000-0000-0000-000000000002'
\i sql/include/listen.sql
\i sql/include/try.sql

SELECT changed FROM session_clock_start(:'s');
SELECT changed FROM session_clock_start(:'plain');
SELECT count(session_clock_add_member(:'s', m, r)) AS members FROM (VALUES ('alice', 'host'), ('bob', 'participant')) v(m, r);
SELECT count(*) AS drained FROM pg_temp.received();

-- why: the 1.1 calls keep working, positional and named (no overload makes
-- them ambiguous), and configure still tracks the session for them.
SELECT count(*) AS configure_functions FROM pg_proc WHERE proname = 'session_clock_configure';
SELECT min_participants, grace_ms FROM session_clock_configure(:'plain', 2, 30000);
SELECT min_participants, grace_ms FROM session_clock_configure(:'plain', p_grace_ms => 45000);
SELECT min_participants, grace_ms FROM session_clock_configure(p_session_id => :'plain', p_min_participants => 3);
SELECT presence_tracked, single_device FROM session_clock.sessions WHERE id = :'plain';

-- why: p_single_device alone switches the option and logs a configure
-- (version + 1), but leaves the grace rule as it was: an untracked session
-- does not start auto-pausing because of it.
SELECT version FROM session_clock_configure(:'s', p_single_device => true);
SELECT presence_tracked, single_device FROM session_clock.sessions WHERE id = :'s';
SELECT event FROM session_clock.session_events WHERE session_id = :'s' ORDER BY version DESC LIMIT 1;
SELECT payload ->> 'event' AS event, payload ->> 'version' AS version FROM pg_temp.received() WHERE payload ? 'session_id' AND payload ->> 'session_id' = :'s';
-- ...and with other settings it tracks, as every configure call did.
SELECT min_participants, grace_ms FROM session_clock_configure(:'s', 2, 30000, true);
SELECT presence_tracked, single_device FROM session_clock.sessions WHERE id = :'s';
SELECT count(*) AS drained FROM pg_temp.received();

-- why: a claim in a single-device session is numbered and announced with
-- the device it names; the user's next claim (another connection) counts on.
SELECT session_clock.claim_device(:'s', 'bob', 'worker-a/17') AS first_claim;
SELECT session_clock.claim_device(:'s', 'bob', 'worker-b/3') AS second_claim;
SELECT session_clock.claim_device(:'s', 'alice', 'worker-a/18') AS alices_claim;
SELECT payload FROM pg_temp.received();
SELECT participant_id, device, claim FROM session_clock.device_claims WHERE session_id = :'s' ORDER BY participant_id;

-- why: elsewhere a claim does nothing: NULL, no row, no NOTIFY. An ended
-- session keeps no claims either, and switching the option off stops them.
SELECT session_clock.claim_device(:'plain', 'bob', 'worker-a/17') IS NULL AS not_single_device;
SELECT session_clock.claim_device('5d5d5d5d-0000-0000-0000-0000000000ff', 'bob', 'worker-a/17') IS NULL AS no_session;
SELECT version > 0 AS configured FROM session_clock_configure(:'s', p_single_device => false);
SELECT session_clock.claim_device(:'s', 'bob', 'worker-a/19') IS NULL AS switched_off;
SELECT count(*) AS claims_elsewhere FROM session_clock.device_claims WHERE session_id <> :'s';
SELECT count(*) FILTER (WHERE payload ->> 'event' = 'device_claimed') AS claims_announced FROM pg_temp.received();

-- why: only workers (admins) claim; bad arguments are refused with a clear
-- error and change nothing.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"bob","role":"authenticated"}', true) IS NOT NULL AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.claim_device('5d5d5d5d-0000-0000-0000-000000000001', 'bob', 'mine')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
ROLLBACK;
SELECT version > 0 AS configured FROM session_clock_configure(:'s', p_single_device => true);
SELECT t.* FROM (VALUES
    ($$SELECT session_clock.claim_device('5d5d5d5d-0000-0000-0000-000000000001', 'bob', '')$$),
    ($$SELECT session_clock.claim_device('5d5d5d5d-0000-0000-0000-000000000001', 'bob', NULL)$$),
    ($$SELECT session_clock.claim_device('5d5d5d5d-0000-0000-0000-000000000001', '', 'worker-a/1')$$),
    ($$SELECT session_clock.claim_device('5d5d5d5d-0000-0000-0000-000000000001', 'bob', repeat('d', 201))$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

SELECT count(session_clock_stop(id)) AS stopped FROM (VALUES (:'s'::uuid), (:'plain'::uuid)) v(id);
SELECT session_clock.claim_device(:'s', 'bob', 'worker-a/20') IS NULL AS ended;
DELETE FROM session_clock.sessions WHERE id::text LIKE '5d5d5d5d-%';
\i sql/include/unlisten.sql
