package intrinsic

import (
	"slices"
	"unicode/utf16"

	"stepwise/engine/jsonv"
)

// javaHashMap reproduces the iteration order of a java.util.HashMap built by
// successive puts: AWS's States.JsonMerge returns such a map, so its keys come
// out in bucket order, not in insertion order (recorded: merging
// {"constant_in_literal"} with {"constant_input_field"} yields
// {"constant_input_field", "constant_in_literal"}).
type javaHashMap struct {
	keys []string
	vals map[string]any
}

func newJavaHashMap(n int) *javaHashMap {
	return &javaHashMap{vals: make(map[string]any, n)}
}

func (m *javaHashMap) put(k string, v any) {
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
}

// javaStringHash is String.hashCode over UTF-16 code units.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			h = 31*h + r1
			h = 31*h + r2
			continue
		}
		h = 31*h + r
	}
	return h
}

// object returns the entries in the order HashMap iterates them: by bucket
// of the final table, and in insertion order within a bucket (resizes keep
// the relative order of the entries they split).
func (m *javaHashMap) object() *jsonv.Object {
	capacity, threshold := 16, 12
	for size := 1; size <= len(m.keys); size++ {
		if size > threshold {
			capacity *= 2
			threshold *= 2
		}
	}
	type entry struct {
		bucket, seq int
		key         string
	}
	entries := make([]entry, len(m.keys))
	for i, k := range m.keys {
		h := uint32(javaStringHash(k))
		h ^= h >> 16
		entries[i] = entry{bucket: int(h & uint32(capacity-1)), seq: i, key: k}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return a.bucket - b.bucket })
	o := jsonv.NewObject(len(entries))
	for _, e := range entries {
		o.Set(e.key, m.vals[e.key])
	}
	return o
}

// javaRandom is java.util.Random, so that a seeded States.MathRandom returns
// what AWS returns for the same seed.
type javaRandom struct{ seed int64 }

const (
	javaMultiplier = 0x5DEECE66D
	javaMask       = (1 << 48) - 1
)

func newJavaRandom(seed int64) *javaRandom {
	return &javaRandom{seed: (seed ^ javaMultiplier) & javaMask}
}

func (r *javaRandom) next(bits uint) int32 {
	r.seed = (r.seed*javaMultiplier + 0xB) & javaMask
	return int32(uint64(r.seed) >> (48 - bits))
}

func (r *javaRandom) nextInt(bound int32) int32 {
	rv := r.next(31)
	m := bound - 1
	if bound&m == 0 {
		return int32((int64(bound) * int64(rv)) >> 31)
	}
	for u := rv; ; u = r.next(31) {
		rv = u % bound
		if u-rv+m >= 0 {
			return rv
		}
	}
}

func (r *javaRandom) nextLong() int64 {
	return int64(r.next(32))<<32 + int64(r.next(32))
}
