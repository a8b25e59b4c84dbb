package jsonata_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"stepwise/engine/jsonata"
)

// benchCases are the suite cases both benchmarks time: every case that passes
// here, except the time-limit cases (seconds each, they measure allocation
// rather than the language) and issue785, which loops forever in
// jsonata-js 2.0.6. bench/bench.mjs applies the same rules.
func benchCases(b *testing.B) []suiteCase {
	cases := loadSuite(b)
	baseline := map[string]bool{}
	for name := range readBaselineTB(b) {
		baseline[name] = true
	}
	var out []suiteCase
	for _, c := range cases {
		if baseline[c.name] || c.timeMS > 0 || strings.HasPrefix(c.name, "function-formatNumber/issue785") {
			continue
		}
		out = append(out, c)
	}
	return out
}

// BenchmarkSuite compiles and evaluates each suite expression repeatedly and
// reports the median time per expression (ns/expr-median), the figure
// bench/bench.mjs reports for jsonata-js.
func BenchmarkSuite(b *testing.B) {
	cases := benchCases(b)
	ctx := context.Background()
	per := make([]float64, len(cases))
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for i := range cases {
			c := &cases[i]
			start := time.Now()
			iters := 0
			for iters < 3 || time.Since(start) < 2*time.Millisecond {
				expr, err := jsonata.Compile(c.expr)
				if err == nil {
					_, _, _ = expr.Eval(ctx, c.input, &jsonata.Options{Bindings: c.binds})
				}
				iters++
			}
			per[i] = float64(time.Since(start).Nanoseconds()) / float64(iters)
		}
	}
	b.StopTimer()
	sorted := append([]float64(nil), per...)
	sort.Float64s(sorted)
	b.ReportMetric(sorted[len(sorted)/2], "ns/expr-median")
	b.ReportMetric(float64(len(cases)), "exprs")
}
