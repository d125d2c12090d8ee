-- A database in use, through the API (run by the portable edition's owner,
-- an admin): clocks in every state with members and events, presence from
-- SQL and a worker, early presence, a single-device claim, rooms with
-- members and events, the settings row.
\set ON_ERROR_STOP on
SELECT changed FROM session_clock_start('a0be0000-0000-4000-8000-000000000001');
SELECT role FROM session_clock_add_member('a0be0000-0000-4000-8000-000000000001', 'alice', 'host');
SELECT role FROM session_clock_add_member('a0be0000-0000-4000-8000-000000000001', 'bob', 'participant');
SELECT changed FROM session_clock_pause('a0be0000-0000-4000-8000-000000000001', 'break');
SELECT changed FROM session_clock_resume('a0be0000-0000-4000-8000-000000000001', 'back');
SELECT changed FROM session_clock_start('a0be0000-0000-4000-8000-000000000002');
SELECT changed FROM session_clock_pause('a0be0000-0000-4000-8000-000000000002', 'paused');
SELECT changed FROM session_clock_start('a0be0000-0000-4000-8000-000000000003');
SELECT changed FROM session_clock_stop('a0be0000-0000-4000-8000-000000000003', 'done');
SELECT changed FROM session_clock_configure('a0be0000-0000-4000-8000-000000000001', 2, 60000, true);
SELECT changed FROM session_clock_presence('a0be0000-0000-4000-8000-000000000001', 'alice', true);
SELECT session_clock.worker_heartbeat('a0be0000-0000-4000-8000-0000000000ee', 60000, 'move test');
SELECT session_clock.record_presence('a0be0000-0000-4000-8000-000000000001', 'bob', 'websocket',
                                     'a0be0000-0000-4000-8000-0000000000ee', true) IS NOT NULL AS recorded;
SELECT session_clock.claim_device('a0be0000-0000-4000-8000-000000000001', 'bob', 'conn-1') IS NOT NULL AS claimed;
SELECT changed FROM session_clock_presence('a0be0000-0000-4000-8000-000000000009', 'carol', true);  -- early
SELECT session_clock.livekit_event('EV_MOVE', 'participant_joined', 'a0be0000-0000-4000-8000-000000000001', 'RM_MOVE', 'PA_1', 'alice') IS NOT NULL AS noted;
SELECT version FROM session_clock_room_create('MOVEROOM', 'alice');
SELECT version FROM session_clock_room_join('MOVEROOM', 'bob');
SELECT version FROM session_clock_room_play('MOVEROOM', 'https://media.example/a.mp3', p_as => 'alice');
UPDATE session_clock.settings SET grace_ms = 45000, server_label = 'moved.example.com';
