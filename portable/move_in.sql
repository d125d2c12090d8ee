-- scripts/move-edition, last part: the rows move_out.sql kept go into the
-- edition just installed, in foreign-key order, with their identity values;
-- the settings row through its INSERT trigger (it updates the new row);
-- each identity sequence continues where it was.
SET LOCAL search_path = pg_catalog, pg_temp;
DO $move_in$
DECLARE
    t text;
    columns text;
    m record;
BEGIN
    FOREACH t IN ARRAY ARRAY['sessions', 'session_members', 'session_events', 'workers', 'presence',
                             'livekit_webhook_events', 'livekit_connections', 'rooms', 'room_members',
                             'room_events', 'early_presence', 'device_claims', 'settings'] LOOP
        SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = pg_catalog.format('session_clock.%I', t)::pg_catalog.regclass
          AND a.attnum > 0 AND NOT a.attisdropped;
        EXECUTE pg_catalog.format('INSERT INTO session_clock.%I (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %I',
                                  t, columns, columns, 'moving_' || t);
    END LOOP;
    FOR m IN SELECT * FROM moving_sequences LOOP
        PERFORM pg_catalog.setval(pg_catalog.pg_get_serial_sequence('session_clock.' || m.table_name, 'id'),
                                  m.last_value, m.is_called);
    END LOOP;
END
$move_in$;
