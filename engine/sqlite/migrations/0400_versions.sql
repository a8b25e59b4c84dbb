-- State machine versions and aliases (engine/versions.go).
-- Version numbers are never reused: the counter outlives deleted versions.
CREATE TABLE version_counters (
	state_machine_arn TEXT PRIMARY KEY,
	last_version      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE state_machine_versions (
	arn               TEXT PRIMARY KEY,
	state_machine_arn TEXT NOT NULL,
	version           INTEGER NOT NULL,
	definition        TEXT NOT NULL,
	role_arn          TEXT NOT NULL,
	type              TEXT NOT NULL,
	description       TEXT NOT NULL,
	revision_id       TEXT NOT NULL,
	creation_date     INTEGER NOT NULL
);
CREATE UNIQUE INDEX state_machine_versions_by_machine ON state_machine_versions (state_machine_arn, version);

CREATE TABLE state_machine_aliases (
	arn               TEXT PRIMARY KEY,
	state_machine_arn TEXT NOT NULL,
	name              TEXT NOT NULL,
	description       TEXT NOT NULL,
	-- [{"VersionARN": ..., "Weight": ...}, ...]
	routing           TEXT NOT NULL,
	creation_date     INTEGER NOT NULL,
	update_date       INTEGER NOT NULL
);
CREATE INDEX state_machine_aliases_by_machine ON state_machine_aliases (state_machine_arn, name);

-- The routes of every alias, so deleting a version an alias uses is refused.
CREATE TABLE alias_routes (
	alias_arn   TEXT NOT NULL,
	version_arn TEXT NOT NULL,
	PRIMARY KEY (alias_arn, version_arn)
) WITHOUT ROWID;
CREATE INDEX alias_routes_by_version ON alias_routes (version_arn);

-- The version and alias an execution was started with.
CREATE TABLE execution_versions (
	execution_arn TEXT PRIMARY KEY,
	version_arn   TEXT NOT NULL,
	alias_arn     TEXT NOT NULL
) WITHOUT ROWID;

-- Redrive records of executions (engine/redrive.go).
CREATE TABLE execution_redrives (
	execution_arn TEXT PRIMARY KEY,
	redrive_count INTEGER NOT NULL,
	redrive_date  INTEGER NOT NULL
) WITHOUT ROWID;
