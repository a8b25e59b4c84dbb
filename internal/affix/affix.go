// Package affix finds what a new text changes in an old one: the lengths
// of their common start and end. The designer sends a draft's text to the
// page as such a splice, and the SQLite store keeps undo revisions as
// splices of the revision before.
//
// It imports only the standard library.
package affix

// block is how many bytes are compared at once: string comparison is the
// runtime's vectorized memequal.
const block = 64

// Prefix is the length of the longest common prefix of a and b, in bytes.
func Prefix[T ~string | ~[]byte](a, b T) int {
	n := min(len(a), len(b))
	i := 0
	for i+block <= n && string(a[i:i+block]) == string(b[i:i+block]) {
		i += block
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// Suffix is the length of the longest common suffix of a and b, in bytes.
func Suffix[T ~string | ~[]byte](a, b T) int {
	n := min(len(a), len(b))
	i := 0
	for i+block <= n && string(a[len(a)-i-block:len(a)-i]) == string(b[len(b)-i-block:len(b)-i]) {
		i += block
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}
