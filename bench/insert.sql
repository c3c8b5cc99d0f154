-- pgbench baseline: one durable one-row insert per transaction, like a task submit's commit.
INSERT INTO bench_task (id, payload, created_at) VALUES (md5(random()::text), '{"prompt":"bench"}', now());
