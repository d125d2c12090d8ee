-- include/listen.sql: the NOTIFYs, as another connection receives them.
-- psql prints a NOTIFY it receives together with the sender's PID, which
-- varies. So the test's own session never LISTENs; a second connection
-- (dblink) does, and pg_temp.received() returns what reached it: channel,
-- whether it came from this backend, and the payload as jsonb (key order
-- does not matter). include/unlisten.sql closes it.
CREATE SCHEMA regress_notify;
CREATE EXTENSION dblink SCHEMA regress_notify;
SELECT regress_notify.dblink_connect('listener',
    format('dbname=''%s'' host=''%s'' port=%s user=''%s''', current_database(),
           coalesce(nullif(split_part(current_setting('unix_socket_directories'), ',', 1), ''), 'localhost'),
           current_setting('port'), current_user));
SELECT regress_notify.dblink_exec('listener', 'LISTEN session_clock');
-- The round trip (SELECT 1) makes the listener's backend send what a commit
-- already signalled to it, before dblink_get_notify looks.
CREATE FUNCTION pg_temp.received(OUT channel text, OUT from_this_backend boolean, OUT payload jsonb)
    RETURNS SETOF record LANGUAGE plpgsql AS $$
BEGIN
    PERFORM * FROM regress_notify.dblink('listener', 'SELECT 1') AS t(one int);
    RETURN QUERY
        SELECT n.notify_name, n.be_pid = pg_backend_pid(), n.extra::jsonb
        FROM regress_notify.dblink_get_notify('listener') WITH ORDINALITY AS n(notify_name, be_pid, extra, ord)
        ORDER BY n.ord;
END
$$;
