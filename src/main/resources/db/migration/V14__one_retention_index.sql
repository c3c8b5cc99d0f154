-- Every task wrote an entry into both task_finished (finished_at) and task_own_retention
-- (retention_seconds, finished_at) when it was submitted and moved it in both when it ended: two of
-- the fifteen B-trees a submit touches on H2, where each touched tree costs its rewritten page at
-- commit. task_own_retention serves both retention sweeps: the operator's reads the range of tasks
-- without a retention of their own (retention_seconds IS NULL) up to its cutoff, the tasks' own reads
-- the rest (docs/architecture.md, "Retention").
DROP INDEX task_finished;
