-- Client metadata on a task: the object as submitted (for the status body and webhooks), and one row
-- per key so the task list can filter by a key and value with an index on both databases alike.
ALTER TABLE task ADD COLUMN metadata_json VARCHAR(8000);

CREATE TABLE task_metadata (
    task_id     VARCHAR(64)  NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    meta_key    VARCHAR(64)  NOT NULL,
    meta_value  VARCHAR(512) NOT NULL,
    PRIMARY KEY (task_id, meta_key)
);
CREATE INDEX task_metadata_key_value ON task_metadata (meta_key, meta_value);
