-- read through the extension: one clock reading (row + server_now + elapsed_ms)
\set i random(1, :sessions)
SELECT * FROM session_clock_get(md5(:i::text)::uuid);
