package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"

	"stepwise/engine"
)

// History is stored in chunks: one row holds the consecutive events one step
// wrote for one execution (at most chunkEvents events and about chunkBytes
// bytes), keyed by (execution, first event id). A step of a STANDARD
// execution commonly writes several events, and a Pass/Choice loop writes
// hundreds in one step; a row per event made the B-tree insert and the
// driver's per-value binding the largest cost of a durable transition. Rows
// are append-only like the events they hold.
const (
	chunkEvents = 256
	chunkBytes  = 1 << 20
	// chunkVersion is the first byte of every encoded chunk.
	chunkVersion = 1
)

// encodeChunk appends events to b: a version byte, then per event the
// varints id, previous id, timestamp (toNS) and the length-prefixed type and
// details (length+1, 0 for nil details).
func encodeChunk(b []byte, events []engine.HistoryEvent) []byte {
	b = append(b, chunkVersion)
	for _, ev := range events {
		b = binary.AppendVarint(b, ev.ID)
		b = binary.AppendVarint(b, ev.PreviousEventID)
		b = binary.AppendVarint(b, toNS(ev.Timestamp))
		b = binary.AppendUvarint(b, uint64(len(ev.Type)))
		b = append(b, ev.Type...)
		if ev.Details == nil {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, uint64(len(ev.Details))+1)
			b = append(b, ev.Details...)
		}
	}
	return b
}

// decodeChunk calls fn for each event of an encoded chunk, in id order.
func decodeChunk(b []byte, fn func(engine.HistoryEvent)) error {
	if len(b) == 0 || b[0] != chunkVersion {
		return fmt.Errorf("history chunk: unknown encoding")
	}
	b = b[1:]
	bad := errors.New("history chunk: truncated")
	varint := func() (int64, bool) {
		v, n := binary.Varint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	bytesOf := func(l uint64) ([]byte, bool) {
		if l > uint64(len(b)) {
			return nil, false
		}
		out := b[:l:l]
		b = b[l:]
		return out, true
	}
	for len(b) > 0 {
		var ev engine.HistoryEvent
		var ok bool
		var ts int64
		if ev.ID, ok = varint(); !ok {
			return bad
		}
		if ev.PreviousEventID, ok = varint(); !ok {
			return bad
		}
		if ts, ok = varint(); !ok {
			return bad
		}
		ev.Timestamp = fromNS(ts)
		l, n := binary.Uvarint(b)
		if n <= 0 {
			return bad
		}
		b = b[n:]
		typ, ok := bytesOf(l)
		if !ok {
			return bad
		}
		ev.Type = string(typ)
		l, n = binary.Uvarint(b)
		if n <= 0 {
			return bad
		}
		b = b[n:]
		if l > 0 {
			d, ok := bytesOf(l - 1)
			if !ok {
				return bad
			}
			ev.Details = append([]byte{}, d...)
		}
		fn(ev)
	}
	return nil
}

// insert writes the events of the execution with internal id as chunks.
func (t *txStmts) insert(id int64, events []engine.HistoryEvent) error {
	for len(events) > 0 {
		n, size := 0, 0
		for n < len(events) && n < chunkEvents && (n == 0 || size < chunkBytes) {
			size += len(events[n].Details) + len(events[n].Type) + 16
			n++
		}
		chunk := events[:n]
		t.buf = encodeChunk(t.buf[:0], chunk)
		if _, err := t.exec(t.s.historyInsert, id, chunk[0].ID, chunk[n-1].ID, t.buf); err != nil {
			return fmt.Errorf("insert history events %d–%d: %w", chunk[0].ID, chunk[n-1].ID, err)
		}
		events = events[n:]
	}
	return nil
}

// GetHistory implements engine.Store.
func (db *DB) GetHistory(ctx context.Context, arn string, q engine.HistoryQuery) ([]engine.HistoryEvent, string, error) {
	limit := limitOf(q.Page)
	var id int64
	err := db.r.QueryRowContext(ctx, `SELECT id FROM executions WHERE arn = ?`, arn).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", execNotFound(arn)
	}
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: get history of %s: %w", arn, err)
	}
	var after int64
	if q.NextToken != "" {
		if err := decodeToken(q.NextToken, &after); err != nil {
			return nil, "", err
		}
	}
	var rows *sql.Rows
	var keep func(int64) bool
	if q.Reverse {
		// Events with ids below bound, newest first.
		bound := after
		if q.NextToken == "" {
			bound = 1<<63 - 1
		}
		keep = func(eid int64) bool { return eid < bound }
		rows, err = db.r.QueryContext(ctx, `SELECT events FROM history WHERE execution_id = ? AND first_id < ?
			ORDER BY first_id DESC`, id, bound)
	} else {
		// Events with ids above bound: from the chunk holding bound+1 on.
		bound := max(after, q.AfterID)
		keep = func(eid int64) bool { return eid > bound }
		rows, err = db.r.QueryContext(ctx, `SELECT events FROM history WHERE execution_id = ?1 AND first_id >=
			(SELECT coalesce(max(first_id), 0) FROM history WHERE execution_id = ?1 AND first_id <= ?2 + 1)
			ORDER BY first_id`, id, bound)
	}
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: get history of %s: %w", arn, err)
	}
	defer rows.Close()
	var out []engine.HistoryEvent
	var chunk []engine.HistoryEvent
	for len(out) <= limit && rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, "", fmt.Errorf("sqlite: get history of %s: %w", arn, err)
		}
		chunk = chunk[:0]
		if err := decodeChunk(data, func(ev engine.HistoryEvent) { chunk = append(chunk, ev) }); err != nil {
			return nil, "", fmt.Errorf("sqlite: get history of %s: %w", arn, err)
		}
		if q.Reverse {
			for i := len(chunk) - 1; i >= 0 && len(out) <= limit; i-- {
				if keep(chunk[i].ID) {
					out = append(out, chunk[i])
				}
			}
		} else {
			for _, ev := range chunk {
				if len(out) > limit {
					break
				}
				if keep(ev.ID) {
					out = append(out, ev)
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: get history of %s: %w", arn, err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeToken(out[limit-1].ID)
	}
	return out, next, nil
}
