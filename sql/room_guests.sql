-- room_guests: seed 004's guests without accounts (1.3). A host creates a
-- room that admits guests (session_clock_room_create p_guests); the worker
-- names each tokenless guest `guest:…` and adds it with
-- session_clock.room_join_guest, which only workers and admins may call. A
-- guest reads the room like any member, says READY and leaves, and never
-- hosts. `guest:` ids are reserved: no RPC lets anyone else take one. A
-- guest room's code is its only key: at least 10 characters.
\i sql/include/listen.sql
\i sql/include/try.sql

-- why: every 1.2 call of room_create still resolves to the one function,
-- positional and named, and makes a room that admits no guests.
SELECT count(*) AS room_create_functions FROM pg_proc WHERE proname = 'session_clock_room_create';
SELECT code, host, member_count FROM session_clock_room_create('GSPLAIN', 'alice');
SELECT code, host FROM session_clock_room_create(p_code => 'GSNAMED', p_as => 'alice');
SELECT code, guests FROM session_clock.rooms WHERE code IN ('GSPLAIN', 'GSNAMED') ORDER BY code;

-- why: a random guest room code is 10 characters; a chosen one shorter than
-- that is refused before anything is written.
SELECT length(code) AS random_guest_code, changed FROM session_clock_room_create(p_as => 'alice', p_guests => true);
SELECT length(code) AS random_plain_code FROM session_clock_room_create(p_as => 'alice');
SELECT * FROM pg_temp.try($$SELECT session_clock_room_create('GSSHORT', 'alice', true)$$);
SELECT code, host, status, member_count FROM session_clock_room_create('GSPARTY0001', 'alice', true);
SELECT count(*) AS drained FROM pg_temp.received();

-- why: a guest joins with a name, is listed with it, and the room hears of
-- it as of any join (NOTIFY, same version); joining again changes nothing.
SELECT changed, version, member_count, members
FROM session_clock.room_join_guest('gsparty0001', 'guest:one', 'Ann');
SELECT payload FROM pg_temp.received();
SELECT changed, member_count FROM session_clock.room_join_guest('GSPARTY0001', 'guest:one', 'Ann');
SELECT changed, member_count, members -> 2 AS unnamed FROM session_clock.room_join_guest('GSPARTY0001', 'guest:two');

-- why: the per-room limit counts guests only (the host is not one), and a
-- full room refuses the next guest with 54000, changing nothing.
SELECT * FROM pg_temp.try($$SELECT session_clock.room_join_guest('GSPARTY0001', 'guest:three', NULL, 2)$$);
SELECT changed FROM session_clock.room_join_guest('GSPARTY0001', 'guest:three', NULL, 3);

-- why: what a guest join refuses, each leaving everything as it was: a room
-- without guests (42501), no such room (P0002), an id that is not a
-- guest's, a name too long or blank, a NULL id (22023 / 22004).
SELECT v.statement, t.code, t.message, t.unchanged FROM (VALUES
    ($$SELECT session_clock.room_join_guest('GSPLAIN', 'guest:one')$$),
    ($$SELECT session_clock.room_join_guest('GSNONE0000', 'guest:one')$$),
    ($$SELECT session_clock.room_join_guest('GSPARTY0001', 'alice')$$),
    ($$SELECT session_clock.room_join_guest('GSPARTY0001', 'guest:four', repeat('n', 65))$$),
    ($$SELECT session_clock.room_join_guest('GSPARTY0001', 'guest:four', '   ')$$),
    ($$SELECT session_clock.room_join_guest('GSPARTY0001', NULL)$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why: guest ids are reserved: nobody takes one through the RPCs, as host,
-- as a member, or by a hand-over; and a guest can never be made host.
SELECT v.statement, t.code, t.message, t.unchanged FROM (VALUES
    ($$SELECT session_clock_room_create('GSRESERVED', 'guest:x')$$),
    ($$SELECT session_clock_room_join('GSPARTY0001', 'guest:x')$$),
    ($$SELECT session_clock_room_set_host('GSPARTY0001', 'guest:one', 'alice')$$)
) AS v(statement), LATERAL (SELECT v.statement, r.* FROM pg_temp.try(v.statement) r) t;

-- why: a guest is a member like any other: it reads, says READY for the
-- current version and leaves (the worker acts for it); host commands are
-- refused (42501) and change nothing.
SELECT status, changed FROM session_clock_room_play('GSPARTY0001', 'https://example.com/a.mp3', p_lead_ms => 250, p_as => 'alice');
SELECT changed, members -> 1 -> 'ready' AS ready FROM session_clock_room_ready('GSPARTY0001',
    (SELECT version FROM session_clock.rooms WHERE code = 'GSPARTY0001'), 'guest:one');
SELECT * FROM pg_temp.try($$SELECT session_clock_room_pause('GSPARTY0001', p_as => 'guest:one')$$);
SELECT * FROM pg_temp.try($$SELECT session_clock_room_stop('GSPARTY0001', p_as => 'guest:two')$$);
SELECT changed, member_count FROM session_clock_room_leave('GSPARTY0001', 'guest:two');
SELECT count(*) AS drained FROM pg_temp.received();

-- why: end users never add guests, and PostgREST's roles cannot call the
-- worker's function at all.
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub":"alice","role":"authenticated"}', false) AS claims;
SELECT * FROM pg_temp.try($$SELECT session_clock.room_join_guest('GSPARTY0001', 'guest:five')$$);
SELECT code, length(code) AS code_length, host FROM session_clock_room_create('GSALICEGUEST', p_guests => true);
RESET ROLE;
SELECT set_config('request.jwt.claims', '', false) AS claims;
SELECT has_function_privilege('anon', 'session_clock.room_join_guest(text, text, text, integer)', 'EXECUTE') AS anon,
       has_function_privilege('authenticated', 'session_clock.room_join_guest(text, text, text, integer)', 'EXECUTE') AS authenticated,
       has_function_privilege('service_role', 'session_clock.room_join_guest(text, text, text, integer)', 'EXECUTE') AS service_role;

\i sql/include/unlisten.sql
