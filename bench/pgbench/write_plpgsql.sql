-- write baseline: the hand-written plpgsql pause then resume (bench/baseline.sql), with pg_notify
\set i random(1, :sessions)
SELECT * FROM bench_baseline.pause(md5(:i::text)::uuid, 'bench');
SELECT * FROM bench_baseline.resume(md5(:i::text)::uuid, 'bench');
