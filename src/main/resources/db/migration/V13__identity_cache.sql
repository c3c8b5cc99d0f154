-- How many identity values each hot identity column hands out between writes of its position:
-- ${identity_cache}, the dialect's choice (Dialect.identityCache explains both values).
ALTER TABLE task_queue ALTER COLUMN seq SET CACHE ${identity_cache};
ALTER TABLE webhook_queue ALTER COLUMN seq SET CACHE ${identity_cache};
ALTER TABLE credit_ledger ALTER COLUMN id SET CACHE ${identity_cache};
