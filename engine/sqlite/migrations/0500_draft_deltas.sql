-- Draft revisions stored as deltas (engine/sqlite/drafts.go). kind says how
-- a row's asl and layout are stored: bit 1 set, asl is a splice against the
-- full asl of revision rev-1; bit 2 set, the same for layout; kind 0 is a
-- snapshot (both full). Rows written before this migration are snapshots.
ALTER TABLE draft_revisions ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;

-- The snapshots of each draft: reading a revision starts from the last one at
-- or before it, and trimming keeps the last one at or before the tail.
-- kind is the last column of a row whose blobs may span overflow pages; the
-- index answers without reading them.
CREATE INDEX draft_revisions_snapshots ON draft_revisions (draft_id, rev) WHERE kind = 0;
