-- Designer drafts: the document being edited and its undo history. The
-- revision at drafts.cursor is the current document; revisions after it are
-- the redo history, those before it the undo history.
CREATE TABLE drafts (
	id         TEXT PRIMARY KEY,
	machine    TEXT NOT NULL DEFAULT '',
	version    INTEGER NOT NULL,
	cursor     INTEGER NOT NULL,
	tail       INTEGER NOT NULL,
	head       INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX drafts_by_machine ON drafts (machine, updated_at);

CREATE TABLE draft_revisions (
	draft_id TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
	rev      INTEGER NOT NULL,
	asl      BLOB NOT NULL,
	layout   BLOB NOT NULL,
	op       BLOB,
	at       INTEGER NOT NULL,
	PRIMARY KEY (draft_id, rev)
) WITHOUT ROWID;
