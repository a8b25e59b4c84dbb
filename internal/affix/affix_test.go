package affix_test

import (
	"strings"
	"testing"

	"stepwise/internal/affix"
)

func TestPrefixSuffix(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("abcdefgh", 40)
	cases := []struct {
		name           string
		a, b           string
		prefix, suffix int
	}{
		{"empty", "", "", 0, 0},
		{"one empty", "abc", "", 0, 0},
		{"equal", "abc", "abc", 3, 3},
		{"middle changed", "abXcd", "abYcd", 2, 2},
		{"inserted", "abcd", "abZZcd", 2, 2},
		{"prefix of the other", "abc", "abcdef", 3, 0},
		{"long, change past a block", long + "X" + long, long + "Y" + long, len(long), len(long)},
		{"long, change at the start", "X" + long, "Y" + long, 0, len(long)},
		{"long, equal", long, long, len(long), len(long)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := affix.Prefix(tc.a, tc.b); got != tc.prefix {
				t.Errorf("Prefix = %d, want %d", got, tc.prefix)
			}
			if got := affix.Suffix(tc.a, tc.b); got != tc.suffix {
				t.Errorf("Suffix = %d, want %d", got, tc.suffix)
			}
			if got := affix.Prefix([]byte(tc.a), []byte(tc.b)); got != tc.prefix {
				t.Errorf("Prefix of bytes = %d, want %d", got, tc.prefix)
			}
			if got := affix.Suffix([]byte(tc.a), []byte(tc.b)); got != tc.suffix {
				t.Errorf("Suffix of bytes = %d, want %d", got, tc.suffix)
			}
		})
	}
}

func BenchmarkPrefixBytes(b *testing.B) {
	x := []byte(strings.Repeat("abcdefgh", 10000))
	y := append([]byte{}, x...)
	y[len(y)-1] = 'Z'
	b.ReportAllocs()
	for range b.N {
		affix.Prefix(x, y)
	}
}
