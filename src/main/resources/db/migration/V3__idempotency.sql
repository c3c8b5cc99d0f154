-- Idempotent submit: a tenant's Idempotency-Key maps to the first task submitted with it, and to the
-- hash of that request, for 24 hours. The row is written in the transaction that stores the task.
CREATE TABLE idempotency_key (
    tenant_id     VARCHAR(64)  NOT NULL,
    idem_key      VARCHAR(255) NOT NULL,
    request_hash  VARCHAR(64)  NOT NULL,
    task_id       VARCHAR(64)  NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, idem_key)
);
CREATE INDEX idempotency_key_created ON idempotency_key (created_at);
