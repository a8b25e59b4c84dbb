package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"

	"stepwise/internal/affix"
)

// A draft revision's asl or layout is stored whole or as a splice against
// the same column of the revision before it: a typical edit changes one
// field of one state, a move one position, so the bytes before and after
// the change are shared. A splice is
//
//	0x01 uvarint(prefix) uvarint(suffix) middle...
//
// and stands for base[:prefix] + middle + base[len(base)-suffix:].
const spliceTag = 0x01

// Bits of draft_revisions.kind.
const (
	kindASLDelta    = 1 // asl is a splice against revision rev-1's asl
	kindLayoutDelta = 2 // layout is a splice against revision rev-1's layout
	kindMask        = kindASLDelta | kindLayoutDelta
)

// encodeSplice returns the splice that turns base into target.
func encodeSplice(base, target []byte) []byte {
	p := affix.Prefix(base, target)
	s := affix.Suffix(base[p:], target[p:])
	mid := target[p : len(target)-s]
	out := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(mid))
	out = append(out, spliceTag)
	out = binary.AppendUvarint(out, uint64(p))
	out = binary.AppendUvarint(out, uint64(s))
	return append(out, mid...)
}

// errSplice is the cause of every malformed splice.
var errSplice = errors.New("malformed delta")

// parseSplice checks a splice against the length of its base and returns
// the lengths of the base's prefix and suffix it keeps and the bytes it puts
// between them (a slice of delta).
func parseSplice(delta []byte, baseLen int) (p, s int, mid []byte, err error) {
	if len(delta) == 0 || delta[0] != spliceTag {
		return 0, 0, nil, fmt.Errorf("%w: not a splice", errSplice)
	}
	rest := delta[1:]
	up, n := binary.Uvarint(rest)
	if n <= 0 {
		return 0, 0, nil, fmt.Errorf("%w: bad prefix length", errSplice)
	}
	rest = rest[n:]
	us, n := binary.Uvarint(rest)
	if n <= 0 {
		return 0, 0, nil, fmt.Errorf("%w: bad suffix length", errSplice)
	}
	if up > uint64(baseLen) || us > uint64(baseLen)-up {
		return 0, 0, nil, fmt.Errorf("%w: keeps %d+%d bytes of a %d-byte base", errSplice, up, us, baseLen)
	}
	return int(up), int(us), rest[n:], nil
}

// applySplice appends to dst (whose contents are dropped) base changed by
// the splice delta. It never keeps delta or base.
func applySplice(dst, base, delta []byte) ([]byte, error) {
	p, s, mid, err := parseSplice(delta, len(base))
	if err != nil {
		return nil, err
	}
	dst = append(dst[:0], base[:p]...)
	dst = append(dst, mid...)
	return append(dst, base[len(base)-s:]...), nil
}

// deltaOrFull returns how to store target given the base it follows (nil
// when there is none to refer to): a splice when that is smaller than
// target, else target itself.
func deltaOrFull(base, target []byte, haveBase bool) (stored []byte, delta bool) {
	if !haveBase {
		return target, false
	}
	d := encodeSplice(base, target)
	if len(d) < len(target) {
		return d, true
	}
	return target, false
}

// revRow is one stored row of draft_revisions as read back.
type revRow struct {
	rev         int64
	kind        int64
	asl, layout []byte
}

// chain rebuilds full revisions from stored rows: feed it the rows from a
// snapshot up to the wanted revision, in order, then take the result. Each
// row is checked when it is fed; its splices are applied in place, one row
// late, so that the layout before the last row can still be had.
type chain struct {
	id          string
	n           int   // rows fed
	first, rev  int64 // first and last revision fed
	kind        int64 // kind of the last row
	asl, layout column
}

// column is one column's bytes along a chain.
type column struct {
	buf     []byte // full bytes as of the row before the pending one
	size    int    // length once the pending row is applied
	pending splice
	has     bool // pending is set
}

// splice is a checked change to a column: the whole new value, or the
// base's prefix and suffix kept around new middle bytes.
type splice struct {
	whole bool
	p, s  int
	mid   []byte // owned
}

// add checks one stored row and queues it. The row's bytes may be reused by
// the caller afterwards.
func (c *chain) add(r revRow) error {
	if r.kind&^kindMask != 0 {
		return fmt.Errorf("sqlite: draft %s revision %d: unknown storage kind %d", c.id, r.rev, r.kind)
	}
	if c.n == 0 {
		if r.kind != 0 {
			return fmt.Errorf("sqlite: draft %s revision %d: a chain starts with a delta (kind %d), not a snapshot", c.id, r.rev, r.kind)
		}
		c.first = r.rev
	} else if r.rev != c.rev+1 {
		return fmt.Errorf("sqlite: draft %s revision %d: follows revision %d; revisions in between are missing", c.id, r.rev, c.rev)
	}
	if err := c.asl.feed(r.asl, r.kind&kindASLDelta != 0); err != nil {
		return fmt.Errorf("sqlite: draft %s revision %d: asl: %w", c.id, r.rev, err)
	}
	if err := c.layout.feed(r.layout, r.kind&kindLayoutDelta != 0); err != nil {
		return fmt.Errorf("sqlite: draft %s revision %d: layout: %w", c.id, r.rev, err)
	}
	c.n++
	c.rev, c.kind = r.rev, r.kind
	return nil
}

// feed checks stored against the column's length so far, applies the
// pending change and makes stored the pending one.
func (col *column) feed(stored []byte, delta bool) error {
	sp := splice{whole: true}
	if delta {
		p, s, mid, err := parseSplice(stored, col.size)
		if err != nil {
			return err
		}
		sp = splice{p: p, s: s, mid: clone(mid)}
		col.size = p + len(mid) + s
	} else {
		sp.mid = clone(stored)
		col.size = len(stored)
	}
	col.flush()
	col.pending, col.has = sp, true
	return nil
}

// flush applies the pending change to buf, in place when it fits.
func (col *column) flush() {
	if !col.has {
		return
	}
	sp := col.pending
	col.pending, col.has = splice{}, false
	if sp.whole {
		col.buf = sp.mid
		return
	}
	buf := col.buf
	n := sp.p + len(sp.mid) + sp.s
	if n > cap(buf) {
		nb := make([]byte, n, n+n/8)
		copy(nb, buf[:sp.p])
		copy(nb[sp.p:], sp.mid)
		copy(nb[sp.p+len(sp.mid):], buf[len(buf)-sp.s:])
		col.buf = nb
		return
	}
	out := buf[:n]
	// The suffix moves first (copy is a memmove), then the middle
	// overwrites what was there.
	copy(out[sp.p+len(sp.mid):], buf[len(buf)-sp.s:])
	copy(out[sp.p:], sp.mid)
	col.buf = out
}

// depth is the number of deltas after the chain's snapshot.
func (c *chain) depth() int64 { return c.rev - c.first }

// result returns the last revision's full asl and layout and, when known,
// the layout of the revision before it, as slices of their own.
func (c *chain) result() (asl, layout, prevLayout []byte, havePrev bool) {
	c.asl.flush()
	if c.n > 1 {
		havePrev = true
		prevLayout = c.layout.buf
		if !c.layout.pending.whole {
			prevLayout = clone(prevLayout) // the splice changes buf in place
		}
	}
	c.layout.flush()
	asl, layout = c.asl.buf, c.layout.buf
	c.asl, c.layout = column{}, column{}
	if asl == nil {
		asl = []byte{}
	}
	if layout == nil {
		layout = []byte{}
	}
	return asl, layout, prevLayout, havePrev
}

// clone copies b; nil becomes empty (the columns are NOT NULL). Appending
// to an empty slice spares make's zeroing of the new array.
func clone(b []byte) []byte { return append([]byte{}, b...) }
