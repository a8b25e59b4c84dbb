-- State machines. Versions, aliases and tags tables come in later migrations.
CREATE TABLE state_machines (
	arn            TEXT PRIMARY KEY,
	name           TEXT NOT NULL,
	type           TEXT NOT NULL,
	definition     TEXT NOT NULL,
	role_arn       TEXT NOT NULL,
	status         TEXT NOT NULL,
	creation_date  INTEGER NOT NULL, -- Unix nanoseconds; the zero time is -2^63
	update_date    INTEGER NOT NULL,
	revision_id    TEXT NOT NULL,
	description    TEXT NOT NULL,
	tags           TEXT,            -- JSON object, NULL for none
	logging_config BLOB,
	tracing_config BLOB
);
CREATE INDEX state_machines_by_name ON state_machines (name, arn);

-- Executions. id is the internal key the per-execution tables use.
CREATE TABLE executions (
	id                 INTEGER PRIMARY KEY,
	arn                TEXT NOT NULL UNIQUE,
	name               TEXT NOT NULL,
	state_machine_arn  TEXT NOT NULL,
	state_machine_name TEXT NOT NULL,
	type               TEXT NOT NULL,
	status             TEXT NOT NULL,
	input              TEXT NOT NULL,
	output             TEXT,    -- NULL when the execution has none
	error              TEXT,
	cause              TEXT,
	start_date         INTEGER NOT NULL,
	stop_date          INTEGER NOT NULL,
	definition         TEXT NOT NULL,
	map_run_arn        TEXT NOT NULL,
	parent_arn         TEXT NOT NULL,
	trace_header       TEXT NOT NULL,
	test_case          TEXT NOT NULL,
	last_event_id      INTEGER NOT NULL
);
-- ListExecutions: newest first, by machine, machine and status, status, Map Run.
CREATE INDEX executions_by_start ON executions (start_date, id);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_date, id);
CREATE INDEX executions_by_machine_status ON executions (state_machine_arn, status, start_date, id);
CREATE INDEX executions_by_status ON executions (status, start_date, id);
CREATE INDEX executions_by_map_run ON executions (map_run_arn, start_date, id) WHERE map_run_arn <> '';

-- History events, append-only, in chunks: one row holds the consecutive
-- events (first_id..last_id) one step wrote for one execution, encoded by
-- history.go. No foreign key: Commit checks the execution and the id
-- sequence itself.
CREATE TABLE history (
	execution_id INTEGER NOT NULL,
	first_id     INTEGER NOT NULL,
	last_id      INTEGER NOT NULL,
	events       BLOB NOT NULL,
	PRIMARY KEY (execution_id, first_id)
) WITHOUT ROWID;

-- Interpreter state of RUNNING executions; removed when an execution ends.
CREATE TABLE frames (
	execution_id INTEGER NOT NULL REFERENCES executions (id),
	id           TEXT NOT NULL,
	data         BLOB,
	PRIMARY KEY (execution_id, id)
) WITHOUT ROWID;

CREATE TABLE timers (
	execution_id INTEGER NOT NULL REFERENCES executions (id),
	id           TEXT NOT NULL,
	due          INTEGER NOT NULL,
	data         BLOB,
	PRIMARY KEY (execution_id, id)
) WITHOUT ROWID;
CREATE INDEX timers_by_due ON timers (due);

-- The outbox: task dispatches to perform (again, after a restart).
CREATE TABLE tasks (
	execution_id INTEGER NOT NULL REFERENCES executions (id),
	id           TEXT NOT NULL,
	token        TEXT NOT NULL,
	data         BLOB,
	PRIMARY KEY (execution_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX tasks_by_token ON tasks (token) WHERE token <> '';

-- Distributed Map runs, listed in creation order (seq).
CREATE TABLE map_runs (
	seq                          INTEGER PRIMARY KEY,
	arn                          TEXT NOT NULL UNIQUE,
	execution_arn                TEXT NOT NULL,
	state_machine_arn            TEXT NOT NULL,
	label                        TEXT NOT NULL,
	status                       TEXT NOT NULL,
	start_date                   INTEGER NOT NULL,
	stop_date                    INTEGER NOT NULL,
	max_concurrency              INTEGER NOT NULL,
	tolerated_failure_percentage REAL NOT NULL,
	tolerated_failure_count      INTEGER NOT NULL,
	total                        INTEGER NOT NULL,
	pending                      INTEGER NOT NULL,
	running                      INTEGER NOT NULL,
	succeeded                    INTEGER NOT NULL,
	failed                       INTEGER NOT NULL,
	timed_out                    INTEGER NOT NULL,
	aborted                      INTEGER NOT NULL
);
CREATE INDEX map_runs_by_execution ON map_runs (execution_arn, seq);
