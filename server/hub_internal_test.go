package server

import (
	"strings"
	"testing"
)

func TestParseAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"", 0, false},
		{"0", 0, false},
		{"42", 42, false},
		{"9223372036854775807", 9223372036854775807, false},
		{"9223372036854775808", 0, true},
		{"-1", 0, true},
		{"1.5", 0, true},
		{"abc", 0, true},
		{" 1", 0, true},
	}
	for _, tc := range tests {
		got, err := parseAfter(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseAfter(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

// FuzzParseAfter: any text either fails or is a whole number (optional
// sign, digits) naming an id ≥ 0; it never panics.
func FuzzParseAfter(f *testing.F) {
	for _, s := range []string{"", "0", "17", "-3", "-0", "x", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseAfter(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("parseAfter(%q) = %d < 0", s, n)
		}
		digits := strings.TrimLeft(s, "+-")
		if len(s)-len(digits) > 1 || strings.Trim(digits, "0123456789") != "" {
			t.Fatalf("parseAfter(%q) accepted text that is not a whole number", s)
		}
	})
}
