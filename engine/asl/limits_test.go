package asl_test

import (
	"strings"
	"testing"

	"stepwise/engine/asl"
)

// TestLimits checks every limit at the limit and one past it.
func TestLimits(t *testing.T) {
	t.Parallel()
	sized := func(n int) string {
		// A definition of exactly n bytes, padded in its Comment.
		base := `{"StartAt": "A", "Comment": "", "States": {"A": {"Type": "Succeed"}}}`
		return strings.Replace(base, `"Comment": ""`, `"Comment": "`+strings.Repeat("x", n-len(base))+`"`, 1)
	}
	named := func(n int) string {
		name := strings.Repeat("é", n)
		return `{"StartAt": "` + name + `", "States": {"` + name + `": {"Type": "Succeed"}}}`
	}
	nested := func(depth int) string {
		return `{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": ` +
			strings.Repeat("[", depth) + strings.Repeat("]", depth) + `, "End": true}}}`
	}
	tests := []struct {
		name     string
		def      string
		wantCode string // "" for valid
	}{
		{"size at limit", sized(asl.MaxDefinitionSize), ""},
		{"size past limit", sized(asl.MaxDefinitionSize + 1), asl.CodeDefinitionTooLarge},
		{"name at limit", named(asl.MaxStateNameLength), ""},
		{"name past limit", named(asl.MaxStateNameLength + 1), asl.CodeInvalidStateName},
		{"nesting within limit", nested(990), ""},
		{"nesting past limit", nested(1200), asl.CodeInvalidJSONDescription},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if strings.HasPrefix(tt.name, "size") && len(tt.def) != asl.MaxDefinitionSize && len(tt.def) != asl.MaxDefinitionSize+1 {
				t.Fatalf("test definition has %d bytes", len(tt.def))
			}
			_, diags := asl.Parse([]byte(tt.def))
			if tt.wantCode == "" {
				if diags.HasErrors() {
					t.Fatalf("want valid, got:\n%s", format(diags))
				}
				return
			}
			if !hasCode(diags.Errors(), tt.wantCode) {
				t.Fatalf("want %s, got:\n%s", tt.wantCode, format(diags))
			}
		})
	}
}

func TestYAMLValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		yaml    string
		want    string // compact JSON of the Result, "" when it must fail
		wantErr bool
	}{
		{"a: 1\nb: -2.50\nc: 0o17\nd: 1_000\ne: +3", `{"a":1,"b":-2.50,"c":15,"d":1000,"e":3}`, false},
		{"a: yes\nb: true\nc: ~\nd: '1'\ne: 2024-01-01", `{"a":"yes","b":true,"c":null,"d":"1","e":"2024-01-01"}`, false},
		{"a: &x [1, 2]\nb: *x", `{"a":[1,2],"b":[1,2]}`, false},
		{"a: .inf", "", true},
		{"a: .nan", "", true},
		{"? [a]\n: b", "", true},
	}
	for _, tt := range tests {
		def := "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n    Result:\n" + indent(tt.yaml, "      ")
		sm, diags := asl.Parse([]byte(def))
		if tt.wantErr {
			if !diags.HasErrors() {
				t.Errorf("%q: want an error", tt.yaml)
			}
			continue
		}
		if diags.HasErrors() {
			t.Errorf("%q: %s", tt.yaml, format(diags))
			continue
		}
		if got := jsonString(sm.State("A").Result); got != tt.want {
			t.Errorf("%q: Result = %s, want %s", tt.yaml, got, tt.want)
		}
	}
}

func TestYAMLAliasBomb(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	src, diags := asl.ParseSource([]byte(b.String()))
	if src.Root != nil || !diags.HasErrors() {
		t.Fatalf("alias expansion was not bounded")
	}
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix) + "\n"
}
