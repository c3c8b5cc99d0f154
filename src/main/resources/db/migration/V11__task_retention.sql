-- A submit may ask for a retention shorter than the operator's (PICTOR_RETENTION_HOURS): seconds
-- after the task ends, or NULL for the operator's. The index lets the sweeper skip the (usual)
-- tasks without one.
ALTER TABLE task ADD COLUMN retention_seconds INTEGER;
CREATE INDEX task_own_retention ON task (retention_seconds, finished_at);
