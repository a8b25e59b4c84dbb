package engine

import (
	"sort"
	"sync"
	"time"
)

// Clock is the engine's source of time. Timers armed through it fire f in a
// goroutine of the clock's choosing.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has passed; the returned func cancels it.
	AfterFunc(d time.Duration, f func()) (cancel func())
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc uses time.AfterFunc.
func (RealClock) AfterFunc(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, f)
	return func() { t.Stop() }
}

// FakeClock is a clock for tests: time moves only when Advance is called, or,
// with auto-advance, jumps forward to each timer's due time as soon as the
// timer is armed, so Wait states end at once while timestamps stay
// deterministic.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	auto   bool
	seq    int
	timers []*fakeTimer
}

type fakeTimer struct {
	due time.Time
	seq int
	f   func()
}

// NewFakeClock returns a fake clock at t. With auto true, armed timers fire
// immediately and the clock jumps to their due time.
func NewFakeClock(t time.Time, auto bool) *FakeClock {
	return &FakeClock{now: t, auto: auto}
}

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms a fake timer.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) func() {
	c.mu.Lock()
	defer c.mu.Unlock()
	due := c.now.Add(d)
	if c.auto {
		if due.After(c.now) {
			c.now = due
		}
		go f()
		return func() {}
	}
	c.seq++
	t := &fakeTimer{due: due, seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.timers {
			if x == t {
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				return
			}
		}
	}
}

// Advance moves the clock forward by d and fires the timers that fall due, in
// due order, synchronously.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	rest := c.timers[:0]
	for _, t := range c.timers {
		if !t.due.After(c.now) {
			due = append(due, t)
		} else {
			rest = append(rest, t)
		}
	}
	c.timers = rest
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool {
		if !due[i].due.Equal(due[j].due) {
			return due[i].due.Before(due[j].due)
		}
		return due[i].seq < due[j].seq
	})
	for _, t := range due {
		t.f()
	}
}

// Pending returns the number of armed timers (not used in auto mode).
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}
