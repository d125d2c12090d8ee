-- include/unlisten.sql: closes include/listen.sql's listener.
SELECT regress_notify.dblink_disconnect('listener');
DROP EXTENSION dblink;
DROP SCHEMA regress_notify;
