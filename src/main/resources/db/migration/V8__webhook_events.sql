-- Which webhook events a task's callback gets (comma-separated; NULL: the terminal ones, finished
-- and failed), and the task of each queued delivery, so one task's events go out in order.
ALTER TABLE task ADD COLUMN webhook_events VARCHAR(100);
ALTER TABLE webhook_queue ADD COLUMN task_id VARCHAR(64);
CREATE INDEX webhook_queue_task ON webhook_queue (task_id, seq);
