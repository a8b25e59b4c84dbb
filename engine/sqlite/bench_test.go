package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"stepwise/engine"
	"stepwise/engine/sqlite"
)

// benchDef reads a definition from the shared benchmark folder
// (../../../shared/bench from this package, or $STEPWISE_BENCH).
func benchDef(b *testing.B, name string) string {
	b.Helper()
	for _, dir := range []string{os.Getenv("STEPWISE_BENCH"), filepath.Join("..", "..", "..", "shared", "bench")} {
		if dir == "" {
			continue
		}
		if data, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			return string(data)
		}
	}
	b.Skipf("benchmark definition %s not found (set STEPWISE_BENCH to the shared/bench folder)", name)
	return ""
}

// BenchmarkStandardTransitions runs 1,000 concurrent STANDARD executions of
// the counter loop (n=100: 203 transitions each) on a SQLite store and
// reports durable transitions per second, with synchronous=FULL (the
// default) and NORMAL, and transitions per CPU-second of the process (a
// figure that holds on a shared machine).
//
//	go test -run XXX -bench StandardTransitions -benchtime 3x ./engine/sqlite/
func BenchmarkStandardTransitions(b *testing.B) {
	def := benchDef(b, "loop.asl.json")
	for _, syncMode := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+syncMode, func(b *testing.B) {
			benchStandard(b, def, syncMode, 1000, 100)
		})
	}
}

func benchStandard(b *testing.B, def, syncMode string, execs, n int) {
	ctx := context.Background()
	db := openDB(b, sqlite.Options{Synchronous: syncMode})
	e := engine.New(engine.Options{Store: db})
	if err := e.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.Stop)
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "loop", Definition: def, Type: engine.Standard})
	if err != nil {
		b.Fatal(err)
	}
	input := fmt.Sprintf(`{"n": %d}`, n)
	want := fmt.Sprintf(`"i":%d`, n)
	round := 0
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		round++
		arns := make([]string, execs)
		var wg sync.WaitGroup
		errs := make(chan error, execs)
		for i := range execs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN,
					Name: fmt.Sprintf("r%d-%d", round, i), Input: input})
				if err != nil {
					errs <- err
					return
				}
				arns[i] = x.ARN
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		for _, arn := range arns {
			x, err := e.Wait(wctx, arn)
			if err != nil {
				cancel()
				b.Fatal(err)
			}
			if x.Status != engine.Succeeded || !strings.Contains(x.Output, want) {
				cancel()
				b.Fatalf("%s: %s %s %s %s", arn, x.Status, x.Output, x.Error, x.Cause)
			}
		}
		cancel()
	}
	transitions := float64(b.N * execs * (2*n + 3))
	b.ReportMetric(transitions/b.Elapsed().Seconds(), "transitions/s")
	// The machine may be shared: transitions per CPU-second of this process
	// shows the cost independent of how much CPU the process was given.
	b.ReportMetric(transitions/(cpuTime()-cpu0).Seconds(), "transitions/cpu-s")
}

// cpuTime returns the user+system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
