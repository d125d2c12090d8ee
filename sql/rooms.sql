-- rooms: playback rooms (extension 1.2) end to end from SQL. A host plays,
-- pauses, seeks and stops a track for every member of a room at once: each
-- command takes effect at start_at = the database's clock at the command +
-- lead (250..3000 ms; NULL: the room's lead_ms, 1200), and the position at
-- any moment is the session clock's arithmetic anchored so that it reads
-- start_position_ms at start_at.
--
--   22004  a required argument is NULL
--   22023  an invalid argument (code, position, lead, track text, request id, p_as)
--   23505  the room code is taken
--   42501  not allowed (not a member, not the host, p_as for someone else, anon)
--   55000  the host leaves, the new host is not a member, nothing to pause or seek
--   P0002  no room with that code
--
-- Short leads (250 ms) and pg_sleep make commands take effect. Output must
-- not vary between runs: only booleans, counts, differences and values the
-- semantics fix are printed, never a timestamp, a random code or a measured
-- position. Runs as the regression superuser (an admin: it acts for p_as);
-- end users are driven as PostgREST does (see roles.sql).
--
-- Rooms (fixed codes; random codes are kept in random_rooms):
--   RTMAIN  alice hosts; bob, carol members: playback, READY, request ids
--   RTHAND  hand-over from alice to bob
--   RTREQ1, RTREQ2  request ids are per room
--   RTROLE  created by alice as an end user
--   RTNOTE  NOTIFY payloads, one of each change

------------------------------------------------------------------------------
-- Helpers
------------------------------------------------------------------------------
-- What an error must leave as it was: every table and sequence of the
-- extension (here: rooms, members, events, the event id sequence).
\i sql/include/try.sql

-- why: every RPC answer worth comparing later is kept here under a label.
CREATE TEMP TABLE calls AS
    SELECT NULL::text AS label, (NULL::session_clock.room_state).* LIMIT 0;
-- End users' answers are kept too.
GRANT SELECT, INSERT ON calls TO authenticated;
CREATE FUNCTION pg_temp.call(p_label text) RETURNS calls LANGUAGE sql AS $$
    SELECT * FROM calls WHERE label = p_label
$$;

-- why: where the playback must be at an answer's server_now by the session
-- clock's arithmetic: idle 0; paused frozen at start_position_ms; playing,
-- start_position_ms until start_at and then advancing at rate 1. Compared
-- with position_ms within a microsecond (float8 against exact interval
-- arithmetic).
CREATE FUNCTION pg_temp.expected_position_ms(r session_clock.room_state) RETURNS float8 LANGUAGE sql AS $$
    SELECT CASE WHEN r.status = 'idle' THEN 0
                WHEN r.status = 'paused' THEN r.start_position_ms
                ELSE r.start_position_ms
                     + greatest(0, extract(epoch FROM r.server_now - r.start_at) * 1000)::float8 END
$$;
CREATE FUNCTION pg_temp.position_ok(r session_clock.room_state) RETURNS boolean LANGUAGE sql AS $$
    SELECT abs(r.position_ms - pg_temp.expected_position_ms(r)) < 0.001
$$;
-- The same for a kept answer (RETURNING sees the calls row).
CREATE FUNCTION pg_temp.position_ok(c calls) RETURNS boolean LANGUAGE sql AS $$
    SELECT pg_temp.position_ok(jsonb_populate_record(NULL::session_clock.room_state, to_jsonb(c)))
$$;

-- why: an answer's members as one line, in its order, READY marked.
CREATE FUNCTION pg_temp.members(p_members jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg((m->>'id') || CASE WHEN (m->>'ready')::boolean THEN ' (ready)' ELSE '' END, ', '
                      ORDER BY o)
    FROM jsonb_array_elements(p_members) WITH ORDINALITY AS a(m, o)
$$;

-- why: a room's event log without times or measured positions: what
-- happened, in order, by whom (an admin acting for itself shows as 'this
-- role': its name is the test runner's), for which request, whether a
-- start was scheduled, and the track.
CREATE FUNCTION pg_temp.events(p_code text, p_after bigint DEFAULT 0,
        OUT version bigint, OUT event text, OUT actor text, OUT request_id text,
        OUT scheduled boolean, OUT track_url text)
    RETURNS SETOF record LANGUAGE sql AS $$
        SELECT e.version, e.event, CASE WHEN e.actor = current_user THEN 'this role' ELSE e.actor END,
               e.request_id, e.start_at IS NOT NULL, e.track_url
        FROM session_clock.room_events e
        WHERE e.code = p_code AND e.version > p_after ORDER BY e.version
    $$;

-- why: the NOTIFYs as another connection receives them. It listens from
-- here on, so at the end every change of this file can be matched with its
-- announcement.
\i sql/include/listen.sql
SELECT * FROM pg_temp.received();

-- why: what reached the listener against the whole room log (this file's
-- rooms are the only ones): the same changes, once each, in the log's
-- order, all on channel session_clock from this backend. Drains the queue.
CREATE FUNCTION pg_temp.announced_all(OUT notifications bigint, OUT events bigint,
        OUT each_change_once_in_order boolean, OUT all_ours boolean)
    LANGUAGE sql AS $$
        WITH r AS (SELECT row_number() OVER () AS n, * FROM pg_temp.received())
        SELECT (SELECT count(*) FROM r),
               (SELECT count(*) FROM session_clock.room_events),
               (SELECT coalesce(array_agg(r.payload ORDER BY r.n), '{}') FROM r)
                   = (SELECT coalesce(array_agg(jsonb_build_object('event', 'room_' || e.event, 'room', e.code,
                                                                   'version', e.version) ORDER BY e.id), '{}')
                      FROM session_clock.room_events e),
               (SELECT coalesce(bool_and(r.channel = 'session_clock' AND r.from_this_backend), true) FROM r)
    $$;

-- Rooms created with a random code, to check and to clean up at the end.
CREATE TEMP TABLE random_rooms (code text);

------------------------------------------------------------------------------
-- Creating rooms
------------------------------------------------------------------------------
-- why: a given code is upper-cased (codes are read aloud: any case); the
-- creator is the host and the only member, not ready; the room is idle at
-- version 1 with the default lead, nothing to play and position 0.
INSERT INTO calls SELECT 'create RTMAIN', r.* FROM session_clock_room_create('rtMain', 'alice') r
RETURNING label, code, host, status, track_url, title, filename, start_at, start_position_ms, lead_ms,
          version, position_ms, pg_temp.members(members) AS members, changed;
SELECT code, host, status, version, lead_ms FROM session_clock.rooms WHERE code = 'RTMAIN';
SELECT * FROM pg_temp.events('RTMAIN');
-- why: the create event is dated at the answer.
SELECT e.at = c.server_now AS at_the_answer, e.start_at IS NULL AS no_start
FROM session_clock.room_events e, pg_temp.call('create RTMAIN') c WHERE e.code = 'RTMAIN';

-- why: without a code, a random one: 6 characters from an alphabet without
-- the look-alikes 0/O and 1/I; two rooms get two codes.
WITH r AS (INSERT INTO random_rooms SELECT code FROM session_clock_room_create(NULL, 'alice') RETURNING code)
SELECT code ~ '^[A-HJ-NP-Z2-9]{6}$' AS unambiguous_6 FROM r;
WITH r AS (INSERT INTO random_rooms SELECT code FROM session_clock_room_create(p_as => 'bob') RETURNING code)
SELECT code ~ '^[A-HJ-NP-Z2-9]{6}$' AS unambiguous_6 FROM r;
SELECT count(DISTINCT code) AS distinct_codes FROM random_rooms;
SELECT r.host, r.status, r.version, (SELECT count(*) FROM session_clock.room_members m WHERE m.code = r.code) AS members
FROM session_clock.rooms r JOIN random_rooms USING (code) ORDER BY r.host;

-- why 23505: a code is taken whatever case it is written in, and taking it
-- again changes nothing (alice stays the host).
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_create('RTMAIN', 'bob')$$),
    ($$SELECT session_clock_room_create('rtmain', 'alice')$$),
    ($$SELECT session_clock_room_create('RtMaIn', 'carol')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why 22023: a code is 4 to 12 of A-Z and 0-9 once upper-cased (only ASCII
-- letters are upper-cased), checked before anything else, in every
-- function that takes one.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_create('', 'alice')$$),
    ($$SELECT session_clock_room_create('abc', 'alice')$$),
    ($$SELECT session_clock_room_create('ABCDEFGHJKLMN', 'alice')$$),
    ($$SELECT session_clock_room_create('ab-cd', 'alice')$$),
    ($$SELECT session_clock_room_create('abcd ', 'alice')$$),
    ($$SELECT session_clock_room_create(' abcd', 'alice')$$),
    ($$SELECT session_clock_room_create(E'abcd\n', 'alice')$$),
    ($$SELECT session_clock_room_create('äbcd', 'alice')$$),
    ($$SELECT session_clock_room_create('ÄBCD', 'alice')$$),
    ($$SELECT session_clock_room_join('rt_main', 'bob')$$),
    ($$SELECT session_clock_room_state('rtmain!')$$),
    ($$SELECT session_clock_room_play('rtmain ', 'https://media.example/a.mp3')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why: the longest and shortest codes are fine.
SELECT code, host, version FROM session_clock_room_create('rtlong123456', 'alice');
SELECT code, host, version FROM session_clock_room_create('rt12', 'alice');

-- why 22023: an admin names the host with p_as: acting for itself it
-- would be a host nobody can join as.
SELECT * FROM pg_temp.try($$SELECT session_clock_room_create('RTADMN')$$);
-- why 22023: an invalid p_as is refused, naming p_as (and p_new_host
-- below names p_new_host).
SELECT * FROM pg_temp.try($$SELECT session_clock_room_create('RTADMN', '')$$);

------------------------------------------------------------------------------
-- Joining, leaving, reading
------------------------------------------------------------------------------
-- why: bob joins (any case of the code), then again (a no-op); members are
-- listed in join order. Membership is not a change of the playback: no
-- version, no event (and no NOTIFY: checked at the end).
SELECT code, version, pg_temp.members(members) AS members, changed FROM session_clock_room_join('rtmain', 'bob') r;
SELECT code, version, pg_temp.members(members) AS members, changed FROM session_clock_room_join('RTMAIN', 'bob') r;
SELECT count(*) AS events FROM session_clock.room_events WHERE code = 'RTMAIN';
-- why: the host is already a member.
SELECT changed, pg_temp.members(members) AS members FROM session_clock_room_join('RTMAIN', 'alice') r;

-- why: leaving; leaving again is refused like any non-member's call (42501,
-- nothing changes); coming back puts bob last.
SELECT changed, pg_temp.members(members) AS members FROM session_clock_room_join('RTMAIN', 'dave') r;
SELECT changed, pg_temp.members(members) AS members FROM session_clock_room_leave('RTMAIN', 'bob') r;
SELECT * FROM pg_temp.try($$SELECT session_clock_room_leave('RTMAIN', 'bob')$$);
SELECT changed, pg_temp.members(members) AS members FROM session_clock_room_join('RTMAIN', 'bob') r;
SELECT changed, pg_temp.members(members) AS members FROM session_clock_room_leave('RTMAIN', 'dave') r;
SELECT version, count(*) OVER () AS events FROM session_clock.room_events WHERE code = 'RTMAIN';

-- why 42501: leaving a room one is not a member of is refused, as reading
-- it is: a stranger learns nothing about the room.
SELECT * FROM pg_temp.try($$SELECT session_clock_room_leave('RTMAIN', 'mallory')$$);

-- why 55000: the host cannot leave (the room would have nobody to drive
-- it); it hands the room over first (see below).
SELECT * FROM pg_temp.try($$SELECT session_clock_room_leave('RTMAIN', 'alice')$$);
-- why P0002: no such room, whatever the function.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_join('RTNONE', 'bob')$$),
    ($$SELECT session_clock_room_leave('RTNONE', 'bob')$$),
    ($$SELECT session_clock_room_state('rtnone')$$),
    ($$SELECT session_clock_room_play('RTNONE', 'https://media.example/a.mp3', p_as => 'alice')$$),
    ($$SELECT session_clock_room_pause('RTNONE', p_as => 'alice')$$),
    ($$SELECT session_clock_room_seek('RTNONE', 1, p_as => 'alice')$$),
    ($$SELECT session_clock_room_stop('RTNONE', p_as => 'alice')$$),
    ($$SELECT session_clock_room_set_host('RTNONE', 'bob', 'alice')$$),
    ($$SELECT session_clock_room_ready('RTNONE', 1, 'bob')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why 22004: a code is always needed, and a READY names its version.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_join(NULL, 'bob')$$),
    ($$SELECT session_clock_room_leave(NULL, 'bob')$$),
    ($$SELECT session_clock_room_state(NULL)$$),
    ($$SELECT session_clock_room_stop(NULL, NULL, 'alice')$$),
    ($$SELECT session_clock_room_ready('RTMAIN', NULL, 'bob')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why 22023: an admin joins, leaves or says READY only for someone (p_as).
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_join('RTMAIN')$$),
    ($$SELECT session_clock_room_leave('RTMAIN')$$),
    ($$SELECT session_clock_room_ready('RTMAIN', 1)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why: members read the room; others may not (42501), as end users.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"bob","role":"authenticated"}', true) AS claims;
SELECT code, host, status, version, position_ms, pg_temp.members(members) AS members, changed
FROM session_clock_room_state('rtmain') r;
SELECT set_config('request.jwt.claims', '{"sub":"dave","role":"authenticated"}', true) AS claims;
SELECT * FROM pg_temp.try($$SELECT session_clock_room_state('RTMAIN')$$);
COMMIT;

------------------------------------------------------------------------------
-- Play: preparing, then playing
------------------------------------------------------------------------------
-- why: alice plays from 1.5 s with a 250 ms lead: the answer is at the
-- command (server_now), the playback starts exactly 250 ms later; until
-- then the room is preparing and reads the start position.
INSERT INTO calls SELECT 'play', r.* FROM session_clock_room_play('RTMAIN', 'https://media.example/a.mp3',
        'A song', 'a.mp3', 1.5, 250, 'rq-play-1', 'alice') r
RETURNING label, status, track_url, title, filename, start_at - server_now = interval '250 ms' AS starts_in_250ms,
          start_position_ms, position_ms, lead_ms, version, changed;
SELECT * FROM pg_temp.events('RTMAIN', 1);
SELECT e.at = c.server_now AS at_the_command, e.start_at = c.start_at AS logs_the_start
FROM session_clock.room_events e, pg_temp.call('play') c WHERE e.code = 'RTMAIN' AND e.version = 2;
-- why: the stored row is what the answer said.
SELECT r.status, r.track_url = c.track_url AS same_url, r.title = c.title AS same_title,
       r.filename = c.filename AS same_filename, r.start_at = c.start_at AS same_start,
       r.start_position_ms, r.version
FROM session_clock.rooms r, pg_temp.call('play') c WHERE r.code = 'RTMAIN';

-- why: once start_at has passed the room is playing, and position_ms is
-- the start position plus the time since start_at, exactly.
SELECT pg_sleep(0.3);
INSERT INTO calls SELECT 'playing', r.* FROM session_clock_room_state('RTMAIN') r
RETURNING label, status, server_now > start_at AS started, pg_temp.position_ok(calls) AS position_ok,
          position_ms - start_position_ms >= 50 AS advanced_50ms, version, changed;

-- why: a late joiner (carol, half a second later) gets everything to place
-- itself: the same start_at and start position, and a position that is
-- the time elapsed since start_at on top of the start position, whether
-- measured at the answer (exactly) or by the clock right after it (within
-- 100 ms).
SELECT pg_sleep(0.5);
INSERT INTO calls SELECT 'carol joins', r.* FROM session_clock_room_join('RTMAIN', 'carol') r
RETURNING label, status, changed, pg_temp.members(members) AS members;
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"carol","role":"authenticated"}', true) AS claims;
INSERT INTO calls SELECT 'late joiner', r.* FROM session_clock_room_state('rtmain') r
RETURNING label, status, start_at = (pg_temp.call('play')).start_at AS same_start_at,
          start_position_ms = (pg_temp.call('play')).start_position_ms AS same_start_position,
          pg_temp.position_ok(calls) AS position_ok,
          server_now BETWEEN statement_timestamp() AND clock_timestamp() AS answered_now,
          abs(position_ms - (start_position_ms + extract(epoch FROM clock_timestamp() - start_at)::float8 * 1000))
              < 100 AS position_within_100ms,
          position_ms - (pg_temp.call('playing')).position_ms >= 500 AS advanced_by_the_sleep,
          version;
COMMIT;

-- why: the room's default lead applies when a command gives none (1200 ms).
INSERT INTO calls SELECT 'replay', r.* FROM session_clock_room_play('RTMAIN', 'https://media.example/a.mp3',
        'A song', 'a.mp3', 0, NULL, NULL, 'alice') r
RETURNING label, status, start_at - server_now = interval '1200 ms' AS starts_in_1200ms, position_ms, version;
-- why: a play with a 3 s lead reads preparing exactly while start_at is ahead.
INSERT INTO calls SELECT 'play 3s', r.* FROM session_clock_room_play('RTMAIN', 'https://media.example/b.mp3',
        NULL, NULL, 5, 3000, NULL, 'alice') r
RETURNING label, status, title, filename, start_at - server_now = interval '3 s' AS starts_in_3s, position_ms, version;
SELECT status, (status = 'preparing') = (server_now < start_at) AS preparing_iff_ahead, pg_temp.position_ok(r) AS position_ok
FROM session_clock_room_state('RTMAIN') r;

------------------------------------------------------------------------------
-- Pause
------------------------------------------------------------------------------
-- why: a pause before the play took effect (250 ms against 3 s ahead)
-- pauses at the play's start position: the playback never ran.
INSERT INTO calls SELECT 'pause early', r.* FROM session_clock_room_pause('RTMAIN', NULL, 250, NULL, 'alice') r
RETURNING label, status, start_at < (pg_temp.call('play 3s')).start_at AS before_the_play,
          start_position_ms, position_ms, version;

-- why: play from 10 s, let it run, pause with no position: it pauses where
-- the playback will be when the pause takes effect (250 ms after the
-- command), and reads that position at once (before start_at a room reads
-- its start position).
INSERT INTO calls SELECT 'play 10s', r.* FROM session_clock_room_play('RTMAIN', 'https://media.example/a.mp3',
        'A song', 'a.mp3', 10, 250, NULL, 'alice') r
RETURNING label, status, version;
SELECT pg_sleep(0.4);
INSERT INTO calls SELECT 'pause', r.* FROM session_clock_room_pause('RTMAIN', NULL, 250, NULL, 'alice') r
RETURNING label, status, start_at - server_now = interval '250 ms' AS takes_effect_in_250ms,
          abs(start_position_ms - 10000
              - extract(epoch FROM start_at - (pg_temp.call('play 10s')).start_at)::float8 * 1000) < 0.001
              AS paused_where_it_will_be,
          start_position_ms - 10000 >= 400 AS ran_past_the_sleep,
          position_ms = start_position_ms AS reads_the_pause_position, track_url, title, version, changed;
-- why: paused, the position is frozen: the same before and after start_at,
-- and after another sleep; the track is kept.
SELECT pg_sleep(0.3);
INSERT INTO calls SELECT 'paused', r.* FROM session_clock_room_state('RTMAIN') r
RETURNING label, status, position_ms = (pg_temp.call('pause')).position_ms AS frozen, track_url, title, filename;
SELECT pg_sleep(0.1);
SELECT status, position_ms = (pg_temp.call('pause')).position_ms AS still_frozen, pg_temp.position_ok(r) AS position_ok
FROM session_clock_room_state('RTMAIN') r;

-- why: a pause with an explicit position pauses there (also while paused).
SELECT status, start_position_ms, position_ms, version, changed
FROM session_clock_room_pause('RTMAIN', 12.25, 250, NULL, 'alice');
-- why: pausing a paused room without a position changes nothing: changed
-- = f, no version, no event, no NOTIFY (as a second pause of a session
-- clock); two tabs pausing at once log one pause.
SELECT status, start_position_ms, version, changed FROM session_clock_room_pause('RTMAIN', NULL, 250, NULL, 'alice');

------------------------------------------------------------------------------
-- Seek
------------------------------------------------------------------------------
-- why: seeking while paused jumps and stays paused, frozen at the target.
SELECT status, start_position_ms, position_ms, version, changed FROM session_clock_room_seek('RTMAIN', 40, 250, NULL, 'alice');
SELECT pg_sleep(0.3);
SELECT status, position_ms FROM session_clock_room_state('RTMAIN');

-- why: seeking while playing jumps and keeps playing: preparing while the
-- jump is ahead (reading the target), then advancing from the target.
SELECT status, version FROM session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', 'A song', 'a.mp3', 40, 250, NULL, 'alice');
SELECT pg_sleep(0.3);
INSERT INTO calls SELECT 'seek', r.* FROM session_clock_room_seek('RTMAIN', 100, 250, NULL, 'alice') r
RETURNING label, status, start_at - server_now = interval '250 ms' AS takes_effect_in_250ms,
          start_position_ms, position_ms, track_url, title, version;
SELECT pg_sleep(0.3);
SELECT status, pg_temp.position_ok(r) AS position_ok, position_ms > 100000 AS advancing_from_target
FROM session_clock_room_state('RTMAIN') r;

------------------------------------------------------------------------------
-- Stop
------------------------------------------------------------------------------
-- why: stop is immediate (no lead): idle, no track, no start, position 0.
SELECT status, track_url, title, filename, start_at, start_position_ms, position_ms, version, changed
FROM session_clock_room_stop('RTMAIN', NULL, 'alice');
SELECT status, track_url, start_at, start_position_ms FROM session_clock.rooms WHERE code = 'RTMAIN';
-- why 55000: an idle room has nothing to pause or seek in.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_pause('RTMAIN', NULL, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_pause('RTMAIN', 3, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_seek('RTMAIN', 3, 250, NULL, 'alice')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why: stopping an idle room changes nothing: changed = f, no event.
SELECT status, version, changed FROM session_clock_room_stop('RTMAIN', NULL, 'alice');
SELECT * FROM pg_temp.events('RTMAIN', 2);

------------------------------------------------------------------------------
-- READY, per version
------------------------------------------------------------------------------
-- why: READY records that a member has buffered one version of the room;
-- members shows it only while that is the room's version. It changes
-- nothing else: no version, no event (no NOTIFY, checked at the end).
INSERT INTO calls SELECT 'ready play', r.* FROM session_clock_room_play('RTMAIN', 'https://media.example/c.mp3',
        NULL, NULL, 0, 3000, NULL, 'alice') r
RETURNING label, status, version, pg_temp.members(members) AS members;
SELECT version, pg_temp.members(members) AS members, changed
FROM session_clock_room_ready('RTMAIN', (pg_temp.call('ready play')).version, 'bob') r;
SELECT version, pg_temp.members(members) AS members, changed
FROM session_clock_room_ready('rtmain', (pg_temp.call('ready play')).version, 'carol') r;
SELECT count(*) AS events, max(version) AS last_version FROM session_clock.room_events WHERE code = 'RTMAIN';
-- why: members read it too.
SELECT pg_temp.members(members) AS members FROM session_clock_room_state('RTMAIN') r;
-- why: READY for an older version does not count for the current one.
SELECT version - (pg_temp.call('ready play')).version AS versions_later, pg_temp.members(members) AS members
FROM session_clock_room_seek('RTMAIN', 2, 3000, NULL, 'alice') r;
-- READY for the older version is refused (22023); for the current one it counts.
SELECT t.code, t.message, t.unchanged FROM pg_temp.try($$SELECT session_clock_room_ready('RTMAIN', (pg_temp.call('ready play')).version, 'carol')$$) t;
SELECT pg_temp.members(members) AS members
FROM session_clock_room_ready('RTMAIN', (pg_temp.call('ready play')).version + 1, 'carol') r;
-- why: leaving forgets it: bob comes back not ready.
SELECT pg_temp.members(members) AS members FROM session_clock_room_ready('RTMAIN', (pg_temp.call('ready play')).version + 1, 'bob') r;
SELECT pg_temp.members(members) AS members FROM session_clock_room_leave('RTMAIN', 'bob') r;
SELECT pg_temp.members(members) AS members FROM session_clock_room_join('RTMAIN', 'bob') r;
-- why 42501: only members say READY.
SELECT * FROM pg_temp.try($$SELECT session_clock_room_ready('RTMAIN', 1, 'mallory')$$);
-- why 22023: READY only for the room's current version: a member cannot
-- be ready for a change it has not been told of (nor for a version below 1).
SELECT t.statement, t.code, t.message, t.unchanged FROM (VALUES
    ($$SELECT session_clock_room_ready('RTMAIN', (SELECT version + 2 FROM session_clock.rooms WHERE code = 'RTMAIN'), 'bob')$$),
    ($$SELECT session_clock_room_ready('RTMAIN', -1, 'carol')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
SELECT pg_temp.members(members) AS members FROM session_clock_room_pause('RTMAIN', NULL, 3000, NULL, 'alice') r;

------------------------------------------------------------------------------
-- Request ids: applied once
------------------------------------------------------------------------------
-- why: the play above carried rq-play-1; sent again (a retried request) it
-- changes nothing: changed = f, the room as it is now, no event.
SELECT status, version, changed
FROM session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', 'A song', 'a.mp3', 1.5, 250, 'rq-play-1', 'alice');
-- why: an id is the room's whatever the command: a pause, seek or stop
-- with an id already used is not applied either.
SELECT status, version, changed FROM session_clock_room_pause('RTMAIN', NULL, 250, 'rq-play-1', 'alice');
SELECT status, version, changed FROM session_clock_room_seek('RTMAIN', 1, 250, 'rq-play-1', 'alice');
SELECT status, version, changed FROM session_clock_room_stop('RTMAIN', 'rq-play-1', 'alice');
SELECT count(*) AS events_with_rq_play_1 FROM session_clock.room_events WHERE request_id = 'rq-play-1';

-- why: ids are per room: RTREQ1 and RTREQ2 may both use rq-1. Each id
-- once: play rq-1, pause rq-2, a retry of each, a seek rq-3.
SELECT code, changed FROM session_clock_room_create('RTREQ1', 'alice');
SELECT code, changed FROM session_clock_room_create('RTREQ2', 'alice');
SELECT status, version, changed FROM session_clock_room_play('RTREQ1', 'https://media.example/a.mp3', NULL, NULL, 0, 250, 'rq-1', 'alice');
SELECT status, version, changed FROM session_clock_room_play('RTREQ2', 'https://media.example/a.mp3', NULL, NULL, 0, 250, 'rq-1', 'alice');
SELECT status, version, changed FROM session_clock_room_pause('RTREQ1', 7, 250, 'rq-2', 'alice');
SELECT status, version, changed FROM session_clock_room_play('RTREQ1', 'https://media.example/a.mp3', NULL, NULL, 0, 250, 'rq-1', 'alice');
SELECT status, version, changed FROM session_clock_room_pause('RTREQ1', 7, 250, 'rq-2', 'alice');
SELECT status, start_position_ms, version, changed FROM session_clock_room_seek('RTREQ1', 8, 250, 'rq-3', 'alice');
-- why: ids are case-sensitive text, compared exactly.
SELECT status, start_position_ms, version, changed FROM session_clock_room_seek('RTREQ1', 9, 250, 'RQ-3', 'alice');
-- why: a command that failed did not use its id: a pause of the idle
-- room with rq-4 is refused, then after a play the same id applies.
SELECT status, version, changed FROM session_clock_room_stop('RTREQ2', 'rq-stop', 'alice');
SELECT * FROM pg_temp.try($$SELECT session_clock_room_pause('RTREQ2', NULL, 250, 'rq-4', 'alice')$$);
SELECT status, version, changed FROM session_clock_room_play('RTREQ2', 'https://media.example/a.mp3', NULL, NULL, 0, 250, NULL, 'alice');
SELECT status, version, changed FROM session_clock_room_pause('RTREQ2', 1, 250, 'rq-4', 'alice');
SELECT status, version, changed FROM session_clock_room_pause('RTREQ2', 1, 250, 'rq-4', 'alice');
SELECT * FROM pg_temp.events('RTREQ1');
SELECT * FROM pg_temp.events('RTREQ2');
-- why: and the table enforces it too: one id per room (unchanged = f only
-- because the failed insert drew a number from the event id sequence).
SELECT * FROM pg_temp.try($$INSERT INTO session_clock.room_events (code, version, event, actor, at, request_id)
                             VALUES ('RTREQ1', 99, 'stop', 'x', clock_timestamp(), 'rq-1')$$);

------------------------------------------------------------------------------
-- Hand-over
------------------------------------------------------------------------------
-- why: alice hands RTHAND over to bob (a member): one host event by alice.
SELECT code, changed FROM session_clock_room_create('RTHAND', 'alice');
SELECT changed FROM session_clock_room_join('RTHAND', 'bob');
SELECT host, status, version, pg_temp.members(members) AS members, changed FROM session_clock_room_set_host('rthand', 'bob', 'alice') r;
-- why: alice is no longer the host: her commands are refused (42501), and
-- bob's are the host's; alice may now leave, bob may not.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_play('RTHAND', 'https://media.example/a.mp3', p_lead_ms => 250, p_as => 'alice')$$),
    ($$SELECT session_clock_room_stop('RTHAND', NULL, 'alice')$$),
    ($$SELECT session_clock_room_set_host('RTHAND', 'alice', 'alice')$$),
    ($$SELECT session_clock_room_leave('RTHAND', 'bob')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
SELECT host, status, version, changed FROM session_clock_room_play('RTHAND', 'https://media.example/a.mp3', p_lead_ms => 250, p_as => 'bob');
SELECT host, pg_temp.members(members) AS members, changed FROM session_clock_room_leave('RTHAND', 'alice') r;
-- why: handing over to the host itself is a no-op; to someone who is not
-- a member, 55000 (alice just left; ids are case-sensitive); NULL or
-- invalid, 22004 / 22023 (naming p_new_host).
SELECT host, version, changed FROM session_clock_room_set_host('RTHAND', 'bob', 'bob');
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_set_host('RTHAND', 'alice', 'bob')$$),
    ($$SELECT session_clock_room_set_host('RTHAND', 'Bob', 'bob')$$),
    ($$SELECT session_clock_room_set_host('RTHAND', NULL, 'bob')$$),
    ($$SELECT session_clock_room_set_host('RTHAND', '', 'bob')$$),
    ($$SELECT session_clock_room_set_host('RTHAND', E'a\tb', 'bob')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why: the playback goes on through a hand-over (and back again).
SELECT changed FROM session_clock_room_join('RTHAND', 'alice');
SELECT host, status IN ('preparing', 'playing') AS playing, track_url, version, changed
FROM session_clock_room_set_host('RTHAND', 'alice', 'bob');
SELECT * FROM pg_temp.events('RTHAND');

------------------------------------------------------------------------------
-- Validation
------------------------------------------------------------------------------
-- why 22023: positions are finite seconds from 0 to 86400 (24 h); a lead
-- is 250..3000 ms. Nothing changes on RTMAIN (paused, alice the host).
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, NULL, -1, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, NULL, -0.0001, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, NULL, 'NaN', 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, NULL, 'Infinity', 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, NULL, '-Infinity', 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, NULL, 86400.001, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, NULL, 1e300, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_pause('RTMAIN', -1, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_pause('RTMAIN', 'NaN', 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_pause('RTMAIN', 90000, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_seek('RTMAIN', -1, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_seek('RTMAIN', 'Infinity', 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_seek('RTMAIN', 86400.5, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, NULL, 0, 249, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, NULL, 0, 3001, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, NULL, 0, 0, NULL, 'alice')$$),
    ($$SELECT session_clock_room_pause('RTMAIN', NULL, -250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_seek('RTMAIN', 1, 2147483647, NULL, 'alice')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why 22004: a play needs a track and a seek a position.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_play('RTMAIN', NULL, p_as => 'alice')$$),
    ($$SELECT session_clock_room_seek('RTMAIN', NULL, 250, NULL, 'alice')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why 22023: the url (up to 2048 characters), title and filename (up to
-- 300) and a request id (up to 100) are printable text, not blank: no
-- control characters, line breaks or bidi overrides that would make a
-- member's screen or the log read differently from what they hold.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_play('RTMAIN', '', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', '   ', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', E'https://media.example/a\n.mp3', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', E'https://media.example/\u202egpm.mp3', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/' || repeat('a', 2027), p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', E'A\rsong', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', E'A\u0085song', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', '  ', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', repeat('t', 301), p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, E'a\x01.mp3', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, E'a\x7f.mp3', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, E'a\u2028.mp3', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', NULL, repeat('é', 301), p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', p_request_id => '', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', p_request_id => E'rq\n1', p_as => 'alice')$$),
    ($$SELECT session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', p_request_id => repeat('r', 101), p_as => 'alice')$$),
    ($$SELECT session_clock_room_stop('RTMAIN', repeat('r', 101), 'alice')$$),
    ($$SELECT session_clock_room_pause('RTMAIN', p_request_id => ' ', p_as => 'alice')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
-- why: the limits themselves are fine (characters, not bytes); an empty
-- title or filename is no title or filename.
SELECT status, length(track_url) AS url_chars, length(title) AS title_chars, length(filename) AS filename_chars,
       start_position_ms, changed
FROM session_clock_room_play('RTMAIN', 'https://media.example/' || repeat('a', 2026), repeat('t', 300),
                             repeat('é', 300), 86400, 3000, repeat('r', 100), 'alice');
SELECT status, title, filename, start_position_ms, changed
FROM session_clock_room_play('RTMAIN', 'https://media.example/a.mp3', '', '', 0, 250, NULL, 'alice');
SELECT status, start_position_ms, changed FROM session_clock_room_pause('RTMAIN', 86400, 250, NULL, 'alice');
-- why: a position of -0 is stored and answered as 0 (members never see "-0").
SELECT status, start_position_ms, position_ms, changed FROM session_clock_room_seek('RTMAIN', '-0', 250, NULL, 'alice');

-- why 22023 in every row: every argument is checked before the room is
-- looked at, so bad input is the same error whoever sends it to whichever
-- room, and a retried request id with bad arguments is refused too.
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_play('RTNONE', 'https://media.example/a.mp3', NULL, NULL, 0, 1, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTNONE', 'https://media.example/a.mp3', NULL, NULL, 'NaN', 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_play('RTNONE', '', NULL, NULL, 0, 250, NULL, 'alice')$$),
    ($$SELECT session_clock_room_seek('RTMAIN', -1, 250, NULL, 'bob')$$),
    ($$SELECT session_clock_room_play('RTMAIN', E'bad\nurl', NULL, NULL, -1, 250, 'rq-play-1', 'alice')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

------------------------------------------------------------------------------
-- Roles: end users act as themselves, admins for anyone
------------------------------------------------------------------------------
-- why: alice, an end user, creates RTROLE as herself (p_as NULL, or her
-- own sub) and plays; p_as for anyone else is refused (42501), even in
-- another case, and even for a join or a READY.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', true) AS claims;
SELECT code, host, pg_temp.members(members) AS members, changed FROM session_clock_room_create('rtrole') r;
SELECT status, version, changed FROM session_clock_room_play('RTROLE', 'https://media.example/a.mp3', p_lead_ms => 250, p_as => 'alice');
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_create('RTROL2', 'bob')$$),
    ($$SELECT session_clock_room_join('RTROLE', 'bob')$$),
    ($$SELECT session_clock_room_pause('RTROLE', p_as => 'Alice')$$),
    ($$SELECT session_clock_room_stop('RTROLE', NULL, 'bob')$$),
    ($$SELECT session_clock_room_ready('RTROLE', 2, 'bob')$$),
    ($$SELECT session_clock_room_set_host('RTROLE', 'alice', 'bob')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
COMMIT;
-- why: bob joins as himself and says READY; he may read the room but not
-- drive it (42501), in RTROLE or in RTMAIN where he is a member too.
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"bob","role":"authenticated"}', true) AS claims;
SELECT pg_temp.members(members) AS members, changed FROM session_clock_room_join('RTROLE') r;
SELECT pg_temp.members(members) AS members, changed FROM session_clock_room_ready('RTROLE', 2) r;
SELECT host, version FROM session_clock_room_state('RTROLE');
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_pause('RTROLE')$$),
    ($$SELECT session_clock_room_seek('RTROLE', 1)$$),
    ($$SELECT session_clock_room_stop('RTROLE')$$),
    ($$SELECT session_clock_room_play('RTROLE', 'https://media.example/a.mp3')$$),
    ($$SELECT session_clock_room_set_host('RTROLE', 'bob')$$),
    ($$SELECT session_clock_room_stop('RTMAIN')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
SELECT pg_temp.members(members) AS members, changed FROM session_clock_room_leave('RTROLE', 'bob') r;
COMMIT;
-- why: authenticated without a sub acts for nobody (42501).
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"role":"authenticated"}', true) AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_create('RTNOSUB')$$),
    ($$SELECT session_clock_room_create('RTNOSUB', 'alice')$$),
    ($$SELECT session_clock_room_state('RTROLE')$$),
    ($$SELECT session_clock_room_stop('RTROLE', NULL, 'alice')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
COMMIT;
-- why: anon may call no room function (a sub in its claims changes
-- nothing), and even if a DBA grants it EXECUTE, they refuse it.
BEGIN;
SET LOCAL ROLE anon;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"anon"}', true) AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_create('RTANON')$$),
    ($$SELECT session_clock_room_join('RTROLE')$$),
    ($$SELECT session_clock_room_state('RTROLE')$$),
    ($$SELECT session_clock_room_stop('RTROLE')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
COMMIT;
BEGIN;
GRANT EXECUTE ON FUNCTION session_clock_room_create(text, text, boolean), session_clock_room_join(text, text),
    session_clock_room_state(text), session_clock_room_stop(text, text, text),
    session_clock_room_ready(text, bigint, text) TO anon;
SET LOCAL ROLE anon;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"anon"}', true) AS claims;
SELECT t.* FROM (VALUES
    ($$SELECT session_clock_room_create('RTANON')$$),
    ($$SELECT session_clock_room_join('RTROLE')$$),
    ($$SELECT session_clock_room_state('RTROLE')$$),
    ($$SELECT session_clock_room_stop('RTROLE')$$),
    ($$SELECT session_clock_room_ready('RTROLE', 2)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;
ROLLBACK;

-- why: an admin acting for itself reads any room and passes the host
-- check (the log names the role); acting for p_as it is that person: for
-- bob, not the host, refused.
SELECT host, version, pg_temp.members(members) AS members FROM session_clock_room_state('RTROLE');
SELECT status, version, changed FROM session_clock_room_pause('RTROLE', 3, 250);
SELECT * FROM pg_temp.try($$SELECT session_clock_room_seek('RTROLE', 4, 250, NULL, 'bob')$$);
SELECT status, version, changed FROM session_clock_room_seek('RTROLE', 4, 250, NULL, 'alice');
-- why: service_role is an admin too.
BEGIN;
SET LOCAL ROLE service_role;
SELECT set_config('request.jwt.claims', '{"role":"service_role"}', true) AS claims;
SELECT status, version, changed FROM session_clock_room_stop('RTROLE');
SELECT pg_temp.members(members) AS members, changed FROM session_clock_room_join('RTROLE', 'erin') r;
COMMIT;
SELECT version, event, actor FROM pg_temp.events('RTROLE');

------------------------------------------------------------------------------
-- NOTIFY
------------------------------------------------------------------------------
-- why: everything this file did so far: each committed change was
-- announced once, in the order of the log, from this backend, with exactly
-- its payload; nothing else was (no error, join, leave, READY or retried
-- request id).
SELECT * FROM pg_temp.announced_all();

-- why: one of each, in a room of its own: a change announces
-- {"event":"room_<change>","room":CODE,"version":N} on channel
-- session_clock; joins, leaves, READY and a retried request id announce
-- nothing.
SELECT code, changed FROM session_clock_room_create('RTNOTE', 'alice');
SELECT changed FROM session_clock_room_join('RTNOTE', 'bob');
SELECT changed FROM session_clock_room_play('RTNOTE', 'https://media.example/a.mp3', NULL, NULL, 0, 250, 'rq-n', 'alice');
SELECT changed FROM session_clock_room_play('RTNOTE', 'https://media.example/a.mp3', NULL, NULL, 0, 250, 'rq-n', 'alice');
SELECT changed FROM session_clock_room_ready('RTNOTE', 2, 'bob');
SELECT changed FROM session_clock_room_pause('RTNOTE', NULL, 250, NULL, 'alice');
SELECT changed FROM session_clock_room_seek('RTNOTE', 5, 250, NULL, 'alice');
SELECT changed FROM session_clock_room_set_host('RTNOTE', 'bob', 'alice');
SELECT changed FROM session_clock_room_stop('RTNOTE', NULL, 'bob');
SELECT changed FROM session_clock_room_leave('RTNOTE', 'alice');
SELECT * FROM pg_temp.received();
-- why: inside a transaction they arrive at commit, in order; a rollback
-- sends nothing.
BEGIN;
SELECT version FROM session_clock_room_play('RTNOTE', 'https://media.example/a.mp3', NULL, NULL, 0, 250, NULL, 'bob');
SELECT version FROM session_clock_room_pause('RTNOTE', NULL, 250, NULL, 'bob');
SELECT * FROM pg_temp.received();
COMMIT;
SELECT * FROM pg_temp.received();
BEGIN;
SELECT version FROM session_clock_room_stop('RTNOTE', NULL, 'bob');
ROLLBACK;
SELECT * FROM pg_temp.received();
SELECT version FROM session_clock.rooms WHERE code = 'RTNOTE';

------------------------------------------------------------------------------
-- After all that
------------------------------------------------------------------------------
-- why: in every room of this file the event log numbers its versions 1..n
-- with n the room's version, starts with the create, and its last play,
-- pause or seek (unless a stop came after it) is what the room holds now.
SELECT r.code NOT IN (SELECT code FROM random_rooms) AS fixed_code, count(*) AS rooms,
       bool_and((SELECT count(*) = r.version AND min(e.version) = 1 AND max(e.version) = r.version
                 FROM session_clock.room_events e WHERE e.code = r.code)) AS versions_1_to_n,
       bool_and((SELECT e.event = 'create' FROM session_clock.room_events e
                 WHERE e.code = r.code AND e.version = 1)) AS starts_with_create,
       bool_and((SELECT (e.start_at, e.start_position_ms, e.track_url)
                            IS NOT DISTINCT FROM (r.start_at, r.start_position_ms, r.track_url)
                 FROM session_clock.room_events e
                 WHERE e.code = r.code AND e.event IN ('create', 'play', 'pause', 'seek', 'stop')
                 ORDER BY e.version DESC LIMIT 1)) AS last_change_is_the_state
FROM session_clock.rooms r
WHERE r.code ~ '^RT' OR r.code IN (SELECT code FROM random_rooms)
GROUP BY 1 ORDER BY 1;
SELECT r.code, r.version, r.status, r.host FROM session_clock.rooms r
WHERE r.code ~ '^RT' AND r.code NOT IN (SELECT code FROM random_rooms) ORDER BY r.code;

-- Leave no rooms behind for the tests that run later.
DELETE FROM session_clock.rooms WHERE code ~ '^RT' OR code IN (SELECT code FROM random_rooms);
SELECT count(*) AS events_left FROM session_clock.room_events WHERE code ~ '^RT';
\i sql/include/unlisten.sql
