package jsonv_test

import (
	"encoding/json"
	"errors"
	"testing"

	"stepwise/engine/jsonv"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"b":1,"a":[true,false,null],"c":"x"}`, `{"b":1,"a":[true,false,null],"c":"x"}`},
		{` [ 1.50 , -0, 1e3 ] `, `[1.50,-0,1e3]`},
		{`"\u00e9\n\"<>&\u2028"`, "\"é\\n\\\"<>&\u2028\""},
		{`"\ud83d\ude00"`, `"😀"`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`{}`, `{}`},
		{`[]`, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			v, err := jsonv.DecodeString(tt.in)
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.in, err)
			}
			if got := jsonv.String(v); got != tt.want {
				t.Errorf("String(Decode(%q)) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		line, col int
	}{
		{`{"a":}`, 1, 6},
		{"{\n  \"a\": tru\n}", 2, 8},
		{`[1,2`, 1, 5},
		{`01`, 1, 2},
		{`"abc`, 1, 5},
		{`{} x`, 1, 4},
		{``, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := jsonv.DecodeString(tt.in)
			var se *jsonv.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Decode(%q) error = %v, want *SyntaxError", tt.in, err)
			}
			if se.Line != tt.line || se.Column != tt.col {
				t.Errorf("Decode(%q) at %d:%d, want %d:%d (%v)", tt.in, se.Line, se.Column, tt.line, tt.col, se)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`, true},
		{`1`, `1.0`, true},
		{`100`, `1e2`, true},
		{`12345678901234567890`, `12345678901234567891`, false},
		{`[1,2]`, `[2,1]`, false},
		{`null`, `false`, false},
		{`"1"`, `1`, false},
	}
	for _, tt := range tests {
		a, _ := jsonv.DecodeString(tt.a)
		b, _ := jsonv.DecodeString(tt.b)
		if got := jsonv.Equal(a, b); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestObjectOrderAndIndex(t *testing.T) {
	t.Parallel()
	o := jsonv.NewObject(0)
	for i := range 40 {
		o.Set(string(rune('A'+i)), jsonv.Number(int64(i)))
	}
	o.Delete("C")
	o.Set("A", "x")
	if v, _ := o.Get("Z"); v != json.Number("25") {
		t.Errorf("Get(Z) = %v", v)
	}
	if o.Has("C") || o.Len() != 39 || o.Keys()[0] != "A" || o.Keys()[2] != "D" {
		t.Errorf("unexpected object %s", jsonv.String(o))
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\ud800"`, `-1.5e-3`, `[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := jsonv.DecodeString(s)
		if err != nil {
			if json.Valid([]byte(s)) {
				t.Fatalf("Decode rejected valid JSON %q: %v", s, err)
			}
			return
		}
		out := jsonv.Marshal(v)
		v2, err := jsonv.Decode(out)
		if err != nil || !jsonv.Equal(v, v2) {
			t.Fatalf("round trip of %q gave %s (%v)", s, out, err)
		}
	})
}
