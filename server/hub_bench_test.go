package server_test

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stepwise/server"
)

// BenchmarkHubWatchers: 1,000 gorilla websocket clients over localhost
// watch one execution; each iteration commits and publishes one event
// (paced at one every 10 ms, a busy execution). It reports the delay from
// the Publish call to receipt (p50, p99, max over every watcher and
// event) and the memory of an idle watcher (heap + stacks after GC,
// divided by the watchers; client and server side both live in this
// process, so the figure counts both ends of each connection).
//
//	go test -run XXX -bench BenchmarkHubWatchers -benchtime 200x ./server/
func BenchmarkHubWatchers(b *testing.B) {
	const watchers = 1000
	pace := 10 * time.Millisecond
	if s, err := time.ParseDuration(os.Getenv("HUB_BENCH_PACE")); err == nil {
		pace = s
	}
	hb := setupHub(b, server.HubOptions{})
	total := int64(b.N)
	pubAt := make([]atomic.Int64, b.N+1)

	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	conns := make([]*websocket.Conn, watchers)
	for i := range conns {
		conns[i] = dial(b, hb.url, 0)
	}
	for deadline := time.Now().Add(30 * time.Second); hb.hub.Watchers(hubARN) < watchers; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d watchers subscribed", hb.hub.Watchers(hubARN), watchers)
		}
	}
	time.Sleep(100 * time.Millisecond) // let every handshake settle
	runtime.GC()
	runtime.ReadMemStats(&m1)
	perWatcher := (float64(m1.HeapAlloc+m1.StackInuse) - float64(m0.HeapAlloc+m0.StackInuse)) / watchers

	delays := make([][]time.Duration, watchers)
	var wg sync.WaitGroup
	var failed atomic.Value
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(time.Minute))
			ds := make([]time.Duration, 0, b.N)
			for {
				_, msg, err := c.ReadMessage()
				now := time.Now().UnixNano()
				if err != nil {
					failed.Store(fmt.Sprintf("watcher %d: %v", i, err))
					return
				}
				var f frame
				if err := json.Unmarshal(msg, &f); err != nil {
					failed.Store(err.Error())
					return
				}
				for _, e := range f.Events {
					ds = append(ds, time.Duration(now-pubAt[e.ID].Load()))
					if e.ID == total {
						delays[i] = ds
						return
					}
				}
			}
		}()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		evs := hb.src.commit(1, 200)
		pubAt[evs[0].ID].Store(time.Now().UnixNano())
		hb.hub.Publish(execX, evs)
		time.Sleep(pace)
	}
	wg.Wait()
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatal(f)
	}
	var all []time.Duration
	for _, ds := range delays {
		if len(ds) != b.N {
			b.Fatalf("a watcher got %d events, want %d", len(ds), b.N)
		}
		all = append(all, ds...)
	}
	slices.Sort(all)
	q := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
	b.ReportMetric(perWatcher, "B/idle-watcher")
	b.ReportMetric(0, "ns/op")
}
