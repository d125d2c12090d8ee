-- From seed 003's own timer to session_clock's portable edition.
--
-- Seed 003's migration 20251105000007_server_authoritative_timer.sql gave
-- the app public.session_clock_get(p_session_id), _pause(p_session_id,
-- p_reason) and _resume(p_session_id, p_reason), with other result shapes,
-- and kept the timer in its own public.sessions (started_at, is_paused,
-- total_paused_ms, last_state_change_at). session_clock's script refuses
-- to install beside those functions. This moves the app over without
-- losing elapsed time: a running timer keeps running with the same elapsed
-- time, a paused one stays paused at the same position.
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f portable/migrate_from_seed_003.sql
--
-- as the database's owner (Supabase: postgres), from the portable/
-- directory's parent or anywhere (\ir finds session_clock.sql beside this
-- file). Two transactions:
--   1. the seed's three functions go and session_clock is installed, both
--      or neither (a failed install puts the seed's functions back);
--   2. every started, unfinished timer of public.sessions is copied into
--      session_clock.sessions, with an event log that replays to it, and
--      the session's customer_id and mechanic_id (where the table has such
--      columns) become its members.
-- Running it again is harmless: 1 finds the functions gone and the script
-- changes nothing; 2 copies only what is not there yet. The app's own
-- table and its rows stay as they were (drop the columns when no client
-- reads them any more). docs/portable.md tells the steps and what the
-- clients change (the new result shapes).

\set ON_ERROR_STOP on

-- 1. The seed's RPCs out, session_clock in: one transaction. session_clock.sql
-- opens its own (a warning, silenced here, that one is in progress) and its
-- COMMIT ends this one.
BEGIN;
SET LOCAL client_min_messages = error;
SET LOCAL search_path = pg_catalog, pg_temp;
LOCK TABLE public.sessions IN SHARE ROW EXCLUSIVE MODE;  -- the app's pause/resume wait
DO $release$
DECLARE
    f regprocedure;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                   WHERE a.attrelid = 'public.sessions'::pg_catalog.regclass AND NOT a.attisdropped
                     AND a.attname IN ('started_at', 'is_paused', 'total_paused_ms', 'last_state_change_at')
                   HAVING pg_catalog.count(*) = 4) THEN
        RAISE EXCEPTION 'public.sessions has not seed 003''s timer columns'
            USING ERRCODE = 'undefined_column',
                  HINT = 'started_at, is_paused, total_paused_ms and last_state_change_at: this migration is for that app.';
    END IF;
    IF pg_catalog.to_regprocedure('session_clock.portable_version()') IS NOT NULL THEN
        RETURN;  -- a second run: the functions in public are session_clock's now
    END IF;
    FOREACH f IN ARRAY ARRAY[pg_catalog.to_regprocedure('public.session_clock_get(uuid)'),
                             pg_catalog.to_regprocedure('public.session_clock_pause(uuid, text)'),
                             pg_catalog.to_regprocedure('public.session_clock_resume(uuid, text)')] LOOP
        IF f IS NOT NULL THEN
            EXECUTE pg_catalog.format('DROP FUNCTION %s', f);
        END IF;
    END LOOP;
END
$release$;
\ir session_clock.sql

-- 2. The timers. Each started, unfinished row of public.sessions becomes a
-- session_clock.sessions row with the same clock, and an event log that
-- replays to it: start at started_at; the pauses before (whose times the
-- seed did not keep) as one pause of total_paused_ms, ending at the last
-- resume (a running timer's last_state_change_at) or starting at
-- started_at (a paused timer's); a paused timer's pause at
-- last_state_change_at.
BEGIN;
SET LOCAL search_path = pg_catalog, pg_temp;
LOCK TABLE public.sessions IN SHARE MODE;
CREATE TEMP TABLE seed_timers ON COMMIT DROP AS
    SELECT s.id, s.started_at, s.is_paused, s.total_paused_ms,
           GREATEST(COALESCE(s.last_state_change_at, s.started_at), s.started_at) AS changed_at,
           ARRAY[pg_catalog.to_jsonb(s) ->> 'customer_id', pg_catalog.to_jsonb(s) ->> 'mechanic_id'] AS members
    FROM public.sessions s
    WHERE s.started_at IS NOT NULL AND (pg_catalog.to_jsonb(s) ->> 'ended_at') IS NULL
      AND NOT EXISTS (SELECT FROM session_clock.sessions t WHERE t.id = s.id);
-- The earlier pauses as one: a running timer's ends at its last change (its
-- last resume), a paused timer's starts at started_at.
CREATE TEMP TABLE seed_pauses ON COMMIT DROP AS
    SELECT t.id, GREATEST(r.resumed_at - t.total_paused_ms * interval '1 millisecond', t.started_at) AS paused_at,
           r.resumed_at
    FROM seed_timers t
    CROSS JOIN LATERAL (SELECT CASE WHEN t.is_paused
                                    THEN LEAST(t.started_at + t.total_paused_ms * interval '1 millisecond', t.changed_at)
                                    ELSE t.changed_at END AS resumed_at) r;
CREATE TEMP TABLE seed_events ON COMMIT DROP AS
    SELECT t.id AS session_id, e.event, e.reason, e.at, e.elapsed_ms, e.paused_ms,
           pg_catalog.row_number() OVER (PARTITION BY t.id ORDER BY e.n) AS version
    FROM seed_timers t JOIN seed_pauses p ON p.id = t.id
    CROSS JOIN LATERAL (VALUES
        (1, 'start', NULL, t.started_at, 0::double precision, 0::bigint, true),
        (2, 'pause', 'seed_003_pauses', p.paused_at,
            EXTRACT(epoch FROM p.paused_at - t.started_at)::double precision * 1000, 0, t.total_paused_ms > 0),
        (3, 'resume', 'seed_003_pauses', p.resumed_at,
            EXTRACT(epoch FROM p.paused_at - t.started_at)::double precision * 1000, t.total_paused_ms,
            t.total_paused_ms > 0),
        (4, 'pause', 'seed_003', t.changed_at,
            GREATEST(EXTRACT(epoch FROM t.changed_at - t.started_at) * 1000 - t.total_paused_ms, 0)::double precision,
            0, t.is_paused)
    ) AS e(n, event, reason, at, elapsed_ms, paused_ms, wanted)
    WHERE e.wanted;
INSERT INTO session_clock.sessions (id, started_at, is_paused, total_paused_ms, last_state_change_at, version)
    SELECT t.id, t.started_at, t.is_paused, t.total_paused_ms, t.changed_at,
           (SELECT pg_catalog.count(*) FROM seed_events e WHERE e.session_id = t.id)
    FROM seed_timers t;
INSERT INTO session_clock.session_events (session_id, event, reason, at, actor, actor_role, elapsed_ms, paused_ms, version)
    SELECT e.session_id, e.event, e.reason, e.at, current_user, current_user, e.elapsed_ms, e.paused_ms, e.version
    FROM seed_events e ORDER BY e.session_id, e.version;
INSERT INTO session_clock.session_members (session_id, participant_id, role)
    SELECT DISTINCT t.id, m.participant_id, 'participant'
    FROM seed_timers t CROSS JOIN LATERAL pg_catalog.unnest(t.members) AS m(participant_id)
    WHERE m.participant_id IS NOT NULL;
SELECT pg_catalog.count(*) AS timers_moved,
       pg_catalog.count(*) FILTER (WHERE t.is_paused) AS paused
FROM seed_timers t;
COMMIT;
