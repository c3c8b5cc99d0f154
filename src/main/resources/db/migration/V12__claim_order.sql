-- Claims no longer scan task_queue in seq order. They step over every row that is not due, and
-- with 100,000 upstream jobs in flight (each a row waiting for its next poll) a claim read them all:
-- two thirds of a node's CPU. Now a claim reads two index ranges, each from its first due row up to
-- the claim's limit: the rows put back to wait (an upstream job's next poll, a retry, a task handed
-- back or moved to another route) first, then fresh tasks, each kind oldest due first (a fresh
-- task is due when it was submitted; seq breaks ties). Leased rows are in the second range, due
-- when their lease runs out.
ALTER TABLE task_queue ADD COLUMN waiting BOOLEAN DEFAULT FALSE NOT NULL;
CREATE INDEX task_queue_claim ON task_queue (waiting, provider, due_at, seq);
