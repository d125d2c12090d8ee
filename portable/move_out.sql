-- scripts/move-edition, first part: every row of session_clock's tables and
-- its sequences' positions into temporary tables (pg_temp.moving_*), in
-- the transaction that then drops one edition and installs the other.
-- session_clock.privileges is left out: each edition writes its own.
SET LOCAL search_path = pg_catalog, pg_temp;
DO $move_out$
DECLARE
    t text;
BEGIN
    IF pg_catalog.to_regclass('session_clock.sessions') IS NULL THEN
        RAISE EXCEPTION 'this database has no session_clock to move' USING ERRCODE = 'undefined_table';
    END IF;
    FOREACH t IN ARRAY ARRAY['sessions', 'session_members', 'session_events', 'workers', 'presence',
                             'livekit_webhook_events', 'livekit_connections', 'rooms', 'room_members',
                             'room_events', 'early_presence', 'device_claims', 'settings'] LOOP
        EXECUTE pg_catalog.format('CREATE TEMP TABLE %I ON COMMIT DROP AS SELECT * FROM session_clock.%I',
                                  'moving_' || t, t);
    END LOOP;
    CREATE TEMP TABLE moving_sequences (table_name text, last_value bigint, is_called boolean) ON COMMIT DROP;
    FOREACH t IN ARRAY ARRAY['session_events', 'room_events', 'early_presence'] LOOP
        EXECUTE pg_catalog.format('INSERT INTO moving_sequences SELECT %L, q.last_value, q.is_called FROM %s q',
                                  t, pg_catalog.pg_get_serial_sequence('session_clock.' || t, 'id'));
    END LOOP;
END
$move_out$;
