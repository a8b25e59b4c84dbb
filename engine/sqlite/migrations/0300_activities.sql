-- Activities: named task queues that workers poll. Pending tasks are not
-- here: they are outbox rows (tasks) of their executions.
CREATE TABLE activities (
	arn           TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	creation_date INTEGER NOT NULL
);
CREATE INDEX activities_by_name ON activities (name, arn);
