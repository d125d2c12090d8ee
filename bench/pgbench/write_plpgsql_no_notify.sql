-- the write baseline without its pg_notify call (prices the NOTIFY)
\set i random(1, :sessions)
SELECT * FROM bench_baseline.pause_no_notify(md5(:i::text)::uuid, 'bench');
SELECT * FROM bench_baseline.resume_no_notify(md5(:i::text)::uuid, 'bench');
