-- Usage reports (docs/credits.md). key_id: the API key that submitted the task (NULL for tasks from
-- before V10), so usage can be grouped by key. image_count: images the task delivered, set when it
-- ends. upstream_route: the route that produced the images ("openai:gpt-image-2", or the upstream's
-- name when the route has no upstream model id), the key of the operator's upstream_costs; the
-- upstream_* figures are what that upstream reported it used (NULL: it reports nothing).
ALTER TABLE task ADD COLUMN key_id VARCHAR(40);
ALTER TABLE task ADD COLUMN image_count INT;
ALTER TABLE task ADD COLUMN upstream_route VARCHAR(200);
ALTER TABLE task ADD COLUMN upstream_input_tokens BIGINT;
ALTER TABLE task ADD COLUMN upstream_output_tokens BIGINT;
ALTER TABLE task ADD COLUMN upstream_compute_ms BIGINT;
-- An admin's report over every tenant scans by time alone; a tenant's uses task_tenant_created.
CREATE INDEX task_created ON task (created_at);
