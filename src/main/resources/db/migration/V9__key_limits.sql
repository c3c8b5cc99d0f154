-- Per-key limits (docs/key-limits.md) and the operator / tenant-admin split.
-- scope: 'operator' (the whole installation), 'tenant_admin' (its own tenant), 'tenant' (no admin API).
-- Admin keys of the default tenant were made by the operator and could act on every tenant: they
-- stay operators. Admin keys of any other tenant become that tenant's admins.
ALTER TABLE api_key ADD COLUMN scope VARCHAR(16) DEFAULT 'tenant' NOT NULL;
UPDATE api_key SET scope = 'operator' WHERE is_admin = TRUE AND tenant_id = 'default';
UPDATE api_key SET scope = 'tenant_admin' WHERE is_admin = TRUE AND tenant_id <> 'default';
ALTER TABLE api_key ADD CONSTRAINT api_key_scope CHECK (scope IN ('operator', 'tenant_admin', 'tenant'));

-- 0 means unlimited; credit limits are millicredits; ip_whitelist is a comma-separated list of
-- addresses and CIDR ranges, NULL for any address.
ALTER TABLE api_key ADD COLUMN rate_limit BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE api_key ADD COLUMN hourly_credit_limit BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE api_key ADD COLUMN daily_credit_limit BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE api_key ADD COLUMN ip_whitelist VARCHAR(4000);

-- The live counter of one limit of one key: one row per key and kind ('requests_hour',
-- 'credits_hour', 'credits_day'), holding the current fixed UTC window only. A write moves the row
-- to a newer window (resetting used) or adds to it, in one conditional upsert (db/Dialect), so every
-- node sharing the database counts against the same row. Rows exist only for keys with that limit.
CREATE TABLE api_key_window (
    key_id        VARCHAR(40) NOT NULL,
    kind          VARCHAR(16) NOT NULL,
    window_start  TIMESTAMP WITH TIME ZONE NOT NULL,
    used          BIGINT NOT NULL,
    PRIMARY KEY (key_id, kind)
);

-- Which key submitted a task, so hourly_used and daily_used can be read for every key without a
-- counter write; counted says the task's reservation was added to the key's credit counters (and
-- so what it does not cost goes back to them when it ends).
ALTER TABLE task_charge ADD COLUMN key_id VARCHAR(40);
ALTER TABLE task_charge ADD COLUMN counted BOOLEAN DEFAULT FALSE NOT NULL;
CREATE INDEX task_charge_key ON task_charge (key_id, created_at);
