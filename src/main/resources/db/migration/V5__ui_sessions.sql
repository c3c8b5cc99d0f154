-- Dashboard sign-in sessions. The browser holds a random session id in an HttpOnly cookie; the
-- database holds only its SHA-256, so a copy of this table cannot be replayed as cookies. A session
-- acts as the API key it was opened with and dies with it (revoking the key ends its sessions).
CREATE TABLE ui_session (
    id_hash     VARCHAR(64) PRIMARY KEY,
    key_id      VARCHAR(40) NOT NULL REFERENCES api_key (id) ON DELETE CASCADE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX ui_session_expires ON ui_session (expires_at);
