-- Real upstreams. upstream_ref is an asynchronous upstream's job reference, stored before the first
-- poll so that whoever claims the next poll continues that job instead of submitting again.
-- route_index is which of the model's routes serves the task; route_log records every retry and
-- fallback (route, error code, message; never secrets or prompts).
ALTER TABLE task ADD COLUMN upstream_ref VARCHAR(4000);
ALTER TABLE task ADD COLUMN route_index INT DEFAULT 0 NOT NULL;
ALTER TABLE task ADD COLUMN route_log VARCHAR(16000);
