package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
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
	p := commonPrefix(base, target)
	s := commonSuffix(base[p:], target[p:])
	mid := target[p : len(target)-s]
	out := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(mid))
	out = append(out, spliceTag)
	out = binary.AppendUvarint(out, uint64(p))
	out = binary.AppendUvarint(out, uint64(s))
	return append(out, mid...)
}

// commonPrefix is the length of the longest common prefix of a and b,
// compared eight bytes at a time where they agree.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && binary.LittleEndian.Uint64(a[i:]) == binary.LittleEndian.Uint64(b[i:]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// commonSuffix is the length of the longest common suffix of a and b.
func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && binary.LittleEndian.Uint64(a[len(a)-i-8:]) == binary.LittleEndian.Uint64(b[len(b)-i-8:]) {
		i += 8
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}

// errSplice is the cause of every malformed splice.
var errSplice = errors.New("malformed delta")

// applySplice appends to dst (whose contents are dropped) base changed by
// the splice delta. It never keeps delta or base.
func applySplice(dst, base, delta []byte) ([]byte, error) {
	if len(delta) == 0 || delta[0] != spliceTag {
		return nil, fmt.Errorf("%w: not a splice", errSplice)
	}
	rest := delta[1:]
	p, n := binary.Uvarint(rest)
	if n <= 0 {
		return nil, fmt.Errorf("%w: bad prefix length", errSplice)
	}
	rest = rest[n:]
	s, n := binary.Uvarint(rest)
	if n <= 0 {
		return nil, fmt.Errorf("%w: bad suffix length", errSplice)
	}
	mid := rest[n:]
	if p > uint64(len(base)) || s > uint64(len(base))-p {
		return nil, fmt.Errorf("%w: keeps %d+%d bytes of a %d-byte base", errSplice, p, s, len(base))
	}
	dst = append(dst[:0], base[:p]...)
	dst = append(dst, mid...)
	return append(dst, base[uint64(len(base))-s:]...), nil
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
// snapshot up to the wanted revision, in order.
type chain struct {
	id          string
	n           int   // rows fed
	first, rev  int64 // first and last revision fed
	kind        int64 // kind of the last row
	asl, layout []byte
	// prevLayout is the full layout of rev-1 when it was fed (n > 1).
	prevLayout []byte
	// spare buffers for the next splices.
	spareASL, spareLayout []byte
}

// add applies one stored row. The row's bytes may be reused by the caller
// afterwards.
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
	var err error
	if c.asl, c.spareASL, err = step(c.asl, c.spareASL, r.asl, r.kind&kindASLDelta != 0); err != nil {
		return fmt.Errorf("sqlite: draft %s revision %d: asl: %w", c.id, r.rev, err)
	}
	prev := c.layout
	if c.layout, c.spareLayout, err = step(c.layout, c.spareLayout, r.layout, r.kind&kindLayoutDelta != 0); err != nil {
		return fmt.Errorf("sqlite: draft %s revision %d: layout: %w", c.id, r.rev, err)
	}
	if c.n > 0 {
		// prev's buffer is now the spare one and will be overwritten;
		// keep a copy only of what add is asked for last (see done).
		c.prevLayout = prev
	}
	c.n++
	c.rev, c.kind = r.rev, r.kind
	return nil
}

// step returns the next full value of a column (and the buffer now spare):
// stored itself when whole, else cur changed by the splice stored.
func step(cur, spare, stored []byte, delta bool) (next, newSpare []byte, err error) {
	if !delta {
		return append(spare[:0], stored...), cur, nil
	}
	out, err := applySplice(spare, cur, stored)
	if err != nil {
		return nil, spare, err
	}
	return out, cur, nil
}

// depth is the number of deltas after the chain's snapshot.
func (c *chain) depth() int64 { return c.rev - c.first }

// result returns the last revision's full asl and layout and, when known,
// the layout of the revision before it, as slices of their own.
func (c *chain) result() (asl, layout, prevLayout []byte, havePrev bool) {
	asl, layout = c.asl, c.layout
	if c.n > 1 {
		prevLayout, havePrev = clone(c.prevLayout), true
	}
	c.asl, c.layout, c.prevLayout, c.spareASL, c.spareLayout = nil, nil, nil, nil, nil
	return asl, layout, prevLayout, havePrev
}

// clone copies b; nil becomes empty (the columns are NOT NULL). Appending
// to an empty slice spares make's zeroing of the new array.
func clone(b []byte) []byte { return append([]byte{}, b...) }
