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
// bench/bench.mjs reports for jsonata-js, and the median of evaluation alone
// with the expression compiled once (ns/eval-median), as an engine runs it.
func BenchmarkSuite(b *testing.B) {
	cases := benchCases(b)
	ctx := context.Background()
	per := make([]float64, len(cases))
	perEval := make([]float64, 0, len(cases))
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		perEval = perEval[:0]
		for i := range cases {
			c := &cases[i]
			opts := &jsonata.Options{Bindings: c.binds}
			per[i] = timePerIteration(func() {
				expr, err := jsonata.Compile(c.expr)
				if err == nil {
					_, _, _ = expr.Eval(ctx, c.input, opts)
				}
			})
			if expr, err := jsonata.Compile(c.expr); err == nil {
				perEval = append(perEval, timePerIteration(func() { _, _, _ = expr.Eval(ctx, c.input, opts) }))
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(median(per), "ns/expr-median")
	b.ReportMetric(median(perEval), "ns/eval-median")
	b.ReportMetric(float64(len(cases)), "exprs")
}

// timePerIteration runs f at least three times and for at least 2ms, and
// returns the mean time of one run in nanoseconds.
func timePerIteration(f func()) float64 {
	start := time.Now()
	iters := 0
	for iters < 3 || time.Since(start) < 2*time.Millisecond {
		f()
		iters++
	}
	return float64(time.Since(start).Nanoseconds()) / float64(iters)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
