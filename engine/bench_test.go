package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"stepwise/engine"
)

func benchDef(b *testing.B, name string) string {
	b.Helper()
	for _, dir := range []string{filepath.Join("..", "..", "shared", "bench"), os.Getenv("STEPWISE_BENCH")} {
		if dir == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return string(data)
		}
	}
	b.Skipf("benchmark definition %s not found (set STEPWISE_BENCH to the shared/bench folder)", name)
	return ""
}

func benchEngine(b *testing.B, def string, typ engine.Type) (*engine.Engine, string) {
	b.Helper()
	e := engine.New(engine.Options{Store: engine.NewMemStore(), PayloadLimit: -1})
	if err := e.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.Stop)
	sm, err := e.CreateStateMachine(context.Background(), engine.CreateStateMachineInput{Name: "bench", Definition: def, Type: typ})
	if err != nil {
		b.Fatal(err)
	}
	return e, sm.ARN
}

func runSync(b *testing.B, e *engine.Engine, arn, input string) *engine.Execution {
	x, err := e.StartSyncExecution(context.Background(), engine.StartExecutionInput{StateMachineARN: arn, Input: input})
	if err != nil {
		b.Fatal(err)
	}
	if x.Status != engine.Succeeded {
		b.Fatalf("status %s: %s %s", x.Status, x.Error, x.Cause)
	}
	return x
}

// BenchmarkLoop runs the counter loop (2N+3 transitions) as EXPRESS.
func BenchmarkLoop(b *testing.B) {
	e, arn := benchEngine(b, benchDef(b, "loop.asl.json"), engine.Express)
	const n = 100000
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		x := runSync(b, e, arn, fmt.Sprintf(`{"n": %d}`, n))
		if !strings.Contains(x.Output, fmt.Sprintf(`"i":%d`, n)) {
			b.Fatalf("output %s", x.Output)
		}
	}
	b.ReportMetric(float64(2*n+3)*float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
}

func mapInput(n int) string {
	var sb strings.Builder
	sb.WriteString(`{"items": [`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"v": %d}`, i)
	}
	sb.WriteString("]}")
	return sb.String()
}

func benchMap(b *testing.B, n int) {
	e, arn := benchEngine(b, benchDef(b, "map.asl.json"), engine.Express)
	in := mapInput(n)
	want := fmt.Sprintf(`{"count":%d}`, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		x := runSync(b, e, arn, in)
		if x.Output != want {
			b.Fatalf("output %s", x.Output)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/map")
}

// BenchmarkMap10k runs an inline Map over 10,000 items (EXPRESS).
func BenchmarkMap10k(b *testing.B) { benchMap(b, 10000) }

// BenchmarkMap100k runs an inline Map over 100,000 items (EXPRESS).
func BenchmarkMap100k(b *testing.B) { benchMap(b, 100000) }

// BenchmarkTinySequential starts and finishes tiny EXPRESS executions one
// after another.
func BenchmarkTinySequential(b *testing.B) {
	e, arn := benchEngine(b, benchDef(b, "tiny.asl.json"), engine.Express)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		runSync(b, e, arn, `{"x": 1}`)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executions/s")
}

// BenchmarkTiny100Concurrent runs tiny EXPRESS executions from 100
// goroutines.
func BenchmarkTiny100Concurrent(b *testing.B) {
	e, arn := benchEngine(b, benchDef(b, "tiny.asl.json"), engine.Express)
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/100 + 1
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				x, err := e.StartSyncExecution(context.Background(), engine.StartExecutionInput{StateMachineARN: arn, Input: `{"x": 1}`})
				if err != nil || x.Status != engine.Succeeded {
					b.Error(err, x)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(per*100)/b.Elapsed().Seconds(), "executions/s")
}

// BenchmarkStandardTiny1000Concurrent runs tiny STANDARD executions, 1,000
// in flight at once, over the memory store: every step is committed through
// the group-commit writer. It measures the engine's side of durable
// throughput (engine/sqlite has the storage side).
func BenchmarkStandardTiny1000Concurrent(b *testing.B) {
	e, arn := benchEngine(b, benchDef(b, "tiny.asl.json"), engine.Standard)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	total := 0
	for b.Loop() {
		arns := make([]string, 1000)
		for i := range arns {
			x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: arn, Input: `{"x": 1}`})
			if err != nil {
				b.Fatal(err)
			}
			arns[i] = x.ARN
		}
		for _, a := range arns {
			x, err := e.Wait(ctx, a)
			if err != nil || x.Status != engine.Succeeded {
				b.Fatal(err, x)
			}
		}
		total += 1000
	}
	// tiny.asl.json: two Pass states, 2 transitions per execution.
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "executions/s")
	b.ReportMetric(float64(2*total)/b.Elapsed().Seconds(), "transitions/s")
}

// BenchmarkStandardLoop1000Concurrent runs 1,000 STANDARD counter loops
// (n=50, 103 transitions each) at once over the memory store, with every
// history event recorded and committed through the group-commit writer.
func BenchmarkStandardLoop1000Concurrent(b *testing.B) {
	e, arn := benchEngine(b, benchDef(b, "loop.asl.json"), engine.Standard)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	total := 0
	for b.Loop() {
		arns := make([]string, 1000)
		for i := range arns {
			x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: arn, Input: `{"n": 50}`})
			if err != nil {
				b.Fatal(err)
			}
			arns[i] = x.ARN
		}
		for _, a := range arns {
			x, err := e.Wait(ctx, a)
			if err != nil || x.Status != engine.Succeeded {
				b.Fatal(err, x)
			}
		}
		total += 1000
	}
	b.ReportMetric(float64(103*total)/b.Elapsed().Seconds(), "transitions/s")
}
