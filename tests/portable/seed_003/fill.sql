-- Seed 003's timers in every state the migration meets (times relative to now).
INSERT INTO public.sessions (id, customer_id, mechanic_id, status, started_at, ended_at, is_paused, total_paused_ms, last_state_change_at)
VALUES
    -- running, paused twice before (1 min in all), last resumed 5 min ago
    ('5eed0003-0000-4000-8000-00000000000a', 'c0000000-0000-4000-8000-00000000000a', 'a0000000-0000-4000-8000-00000000000a',
     'active', now() - interval '10 min', NULL, false, 60000, now() - interval '5 min'),
    -- paused 2 min ago after 30 s of earlier pauses
    ('5eed0003-0000-4000-8000-00000000000b', 'c0000000-0000-4000-8000-00000000000b', 'a0000000-0000-4000-8000-00000000000b',
     'active', now() - interval '20 min', NULL, true, 30000, now() - interval '2 min'),
    -- running, never paused (the seed sets last_state_change_at only on pause/resume)
    ('5eed0003-0000-4000-8000-00000000000c', 'c0000000-0000-4000-8000-00000000000c', 'a0000000-0000-4000-8000-00000000000c',
     'active', now() - interval '1 min', NULL, false, 0, NULL),
    -- finished: stays the app's history
    ('5eed0003-0000-4000-8000-00000000000d', 'c0000000-0000-4000-8000-00000000000d', 'a0000000-0000-4000-8000-00000000000d',
     'completed', now() - interval '1 hour', now() - interval '30 min', false, 0, NULL),
    -- not started: nothing to move
    ('5eed0003-0000-4000-8000-00000000000e', 'c0000000-0000-4000-8000-00000000000e', 'a0000000-0000-4000-8000-00000000000e',
     'pending', NULL, NULL, false, 0, NULL);
-- The seed's own RPCs at work: a short pause of the never-paused one
-- (it starts the transaction's now(), so two transactions).
SELECT public.session_clock_pause('5eed0003-0000-4000-8000-00000000000c', 'participant_disconnected') ->> 'success' AS paused;
SELECT pg_sleep(0.05);
SELECT public.session_clock_resume('5eed0003-0000-4000-8000-00000000000c', 'participants_reconnected') ->> 'success' AS resumed;
