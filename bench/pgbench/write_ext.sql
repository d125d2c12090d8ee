-- write through the extension: pause then resume one clock (two autocommit transactions)
\set i random(1, :sessions)
SELECT * FROM session_clock_pause(md5(:i::text)::uuid, 'bench');
SELECT * FROM session_clock_resume(md5(:i::text)::uuid, 'bench');
