-- Integration registry: connections (credentials of HTTP tasks) and
-- functions (name → HTTP endpoint). Connection secrets are stored as given:
-- the database file must be protected like a credentials file (file mode
-- 0600, backups treated alike). Secrets never leave through the UI or API.
CREATE TABLE connections (
	name        TEXT PRIMARY KEY,
	id          TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	auth_type   TEXT NOT NULL,
	-- The whole record as JSON (auth parameters, secrets, headers).
	spec        BLOB NOT NULL,
	created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE functions (
	name            TEXT PRIMARY KEY,
	url             TEXT NOT NULL,
	description     TEXT NOT NULL DEFAULT '',
	timeout_seconds INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL
) WITHOUT ROWID;
