package engine

import (
	"strings"
	"testing"
	"time"

	"stepwise/engine/jsonv"
)

var testT0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// stepHarness drives the pure interpreter by hand: no store, no goroutines.
type stepHarness struct {
	t   *testing.T
	r   *run
	now time.Time
}

func newHarness(t *testing.T, def, input string, typ Type, rnd func() float64) *stepHarness {
	t.Helper()
	var pc programCache
	p, err := pc.get(def)
	if err != nil {
		t.Fatal(err)
	}
	in, err := jsonv.DecodeString(input)
	if err != nil {
		t.Fatal(err)
	}
	h := &stepHarness{t: t, now: testT0}
	x := &Execution{ARN: "arn:aws:states:us-east-1:123456789012:execution:m:x", Name: "x", StateMachineName: "m", Type: typ, LastEventID: 1, StartDate: testT0}
	h.r = newRun(p, x, in, ARNs{Region: "us-east-1", Account: "123456789012"}, func() time.Time { return h.now }, rnd, true)
	return h
}

// takeEffects returns and clears the pending effects.
func (h *stepHarness) takeEffects() []effect {
	e := h.r.effects
	h.r.effects = nil
	return e
}

func (h *stepHarness) types() []string {
	var out []string
	for _, ev := range h.r.events {
		out = append(out, ev.Type)
	}
	return out
}

// fireNextTimer advances the clock to the only armed timer in effects and
// fires it; it returns the delay.
func (h *stepHarness) fireTimer(effs []effect) time.Duration {
	h.t.Helper()
	for _, ef := range effs {
		if ef.timer != nil {
			d := ef.timer.Due.Sub(h.now)
			h.now = ef.timer.Due
			h.r.timerFired(ef.timer.ID)
			return d
		}
	}
	h.t.Fatalf("no timer armed in %+v", effs)
	return 0
}

func taskOf(t *testing.T, effs []effect) *TaskRequest {
	t.Helper()
	for _, ef := range effs {
		if ef.task != nil {
			return ef.task
		}
	}
	t.Fatalf("no task dispatched in %+v", effs)
	return nil
}

func TestStepPassChoiceSucceed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"v.$":"$.n"},"Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.v","NumericGreaterThanEquals":10,"Next":"Big"}],"Default":"Small"},
		"Big":{"Type":"Succeed"},
		"Small":{"Type":"Fail","Error":"TooSmall"}}}`, `{"n": 12}`, Standard, nil)
	h.r.start()
	if !h.r.done || h.r.finalStatus != Succeeded || jsonv.String(h.r.output) != `{"v":12}` {
		t.Fatalf("done=%v status=%s output=%s", h.r.done, h.r.finalStatus, jsonv.String(h.r.output))
	}
	want := "PassStateEntered PassStateExited ChoiceStateEntered ChoiceStateExited SucceedStateEntered SucceedStateExited ExecutionSucceeded"
	if got := strings.Join(h.types(), " "); got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	for i, ev := range h.r.events {
		if ev.ID != int64(i+2) {
			t.Fatalf("event %d has id %d", i, ev.ID)
		}
	}
}

const retryDef = `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	"Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":1,"BackoffRate":2,"MaxAttempts":4,"MaxDelaySeconds":3%s}],
	"End":true}}}`

func TestRetryTiming(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		jitter string
		rnd    func() float64
		want   []time.Duration
	}{
		{"backoff capped by MaxDelaySeconds", "", nil, []time.Duration{1 * time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}},
		{"full jitter", `,"JitterStrategy":"FULL"`, func() float64 { return 0.5 }, []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, strings.Replace(retryDef, "%s", tc.jitter, 1), `{}`, Standard, tc.rnd)
			h.r.start()
			var delays []time.Duration
			for attempt := 0; !h.r.done; attempt++ {
				task := taskOf(t, h.takeEffects())
				if task.Attempt != attempt {
					t.Fatalf("attempt %d, want %d", task.Attempt, attempt)
				}
				h.r.taskDone(task.ID, TaskResult{Failed: true, Error: "Boom", Cause: "again"})
				if h.r.done {
					break
				}
				delays = append(delays, h.fireTimer(h.takeEffects()))
			}
			if len(delays) != len(tc.want) {
				t.Fatalf("delays %v, want %v", delays, tc.want)
			}
			for i := range delays {
				if delays[i] != tc.want[i] {
					t.Fatalf("delays %v, want %v", delays, tc.want)
				}
			}
			if h.r.finalStatus != Failed || h.r.err.name != "Boom" || h.r.err.cause != "again" {
				t.Fatalf("status %s err %+v", h.r.finalStatus, h.r.err)
			}
		})
	}
}

func TestRetryThenSucceedAndCatch(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultPath":"$.r",
			"Retry":[{"ErrorEquals":["Transient"],"MaxAttempts":1}],
			"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Handled"}],"End":true},
		"Handled":{"Type":"Pass","End":true}}}`
	tests := []struct {
		name    string
		results []TaskResult
		output  string
	}{
		{"succeeds after a retry", []TaskResult{{Failed: true, Error: "Transient"}, {Output: jsonv.ObjectOf("ok", true)}}, `{"in":1,"r":{"ok":true}}`},
		{"caught after retries", []TaskResult{{Failed: true, Error: "Transient", Cause: "c1"}, {Failed: true, Error: "Transient", Cause: "c2"}}, `{"in":1,"error":{"Error":"Transient","Cause":"c2"}}`},
		{"caught at once", []TaskResult{{Failed: true, Error: "Fatal", Cause: "no"}}, `{"in":1,"error":{"Error":"Fatal","Cause":"no"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, def, `{"in":1}`, Standard, nil)
			h.r.start()
			for _, res := range tc.results {
				effs := h.takeEffects()
				if h.r.f0Blocked() && hasTimer(effs) && !hasTask(effs) {
					h.fireTimer(effs)
					effs = h.takeEffects()
				}
				h.r.taskDone(taskOf(t, effs).ID, res)
			}
			if !h.r.done || h.r.finalStatus != Succeeded || jsonv.String(h.r.output) != tc.output {
				t.Fatalf("done=%v status=%s output=%s err=%+v", h.r.done, h.r.finalStatus, jsonv.String(h.r.output), h.r.err)
			}
		})
	}
}

func (r *run) f0Blocked() bool { return r.root != nil && r.root.status == frBlocked }

func hasTimer(effs []effect) bool {
	for _, ef := range effs {
		if ef.timer != nil {
			return true
		}
	}
	return false
}

func hasTask(effs []effect) bool {
	for _, ef := range effs {
		if ef.task != nil {
			return true
		}
	}
	return false
}

func TestTaskTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":5,
			"Catch":[{"ErrorEquals":["States.Timeout"],"Next":"Late"}],"End":true},
		"Late":{"Type":"Pass","End":true}}}`, `{}`, Standard, nil)
	h.r.start()
	effs := h.takeEffects()
	task := taskOf(t, effs)
	if d := h.fireTimer(effs); d != 5*time.Second {
		t.Fatalf("timeout after %v", d)
	}
	h.r.taskDone(task.ID, TaskResult{Output: "too late"}) // ignored
	if h.r.finalStatus != Succeeded || jsonv.String(h.r.output) != `{"Error":"States.Timeout","Cause":""}` {
		t.Fatalf("status %s output %s", h.r.finalStatus, jsonv.String(h.r.output))
	}
	if !strings.Contains(strings.Join(h.types(), " "), "TaskStarted TaskTimedOut TaskStateExited PassStateEntered") {
		t.Fatalf("events %v", h.types())
	}
}

func TestExecutionTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`, `{}`, Standard, nil)
	h.r.start()
	var execTimer *Timer
	for _, ef := range h.takeEffects() {
		if ef.timer != nil && ef.timer.Due.Equal(testT0.Add(10*time.Second)) {
			execTimer = ef.timer
		}
	}
	if execTimer == nil {
		t.Fatal("no execution timeout timer")
	}
	h.now = execTimer.Due
	h.r.timerFired(execTimer.ID)
	if h.r.finalStatus != TimedOut || h.types()[len(h.types())-1] != "ExecutionTimedOut" {
		t.Fatalf("status %s events %v", h.r.finalStatus, h.types())
	}
	var cancels int
	for _, ef := range h.takeEffects() {
		if ef.cancelTimer != "" {
			cancels++
		}
	}
	if cancels != 1 {
		t.Fatalf("the Wait timer was not canceled (%d cancels)", cancels)
	}
}

func TestPayloadLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		size int
		ok   bool
	}{{PayloadLimit, true}, {PayloadLimit + 1, false}} {
		// A JSON string of n characters serializes to n+2 bytes.
		str := strings.Repeat("a", tc.size-2)
		h := newHarness(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"`+str+`","End":true}}}`, `{}`, Standard, nil)
		h.r.start()
		if tc.ok && h.r.finalStatus != Succeeded {
			t.Fatalf("size %d: %s %+v", tc.size, h.r.finalStatus, h.r.err)
		}
		if !tc.ok && (h.r.finalStatus != Failed || h.r.err.name != "States.DataLimitExceeded" ||
			h.r.err.cause != "The state/task 'P' returned a result with a size exceeding the maximum number of bytes service limit.") {
			t.Fatalf("size %d: %s %+v", tc.size, h.r.finalStatus, h.r.err)
		}
	}
}

func TestHistoryLimit(t *testing.T) {
	t.Parallel()
	chain := func(k int) string {
		var sb strings.Builder
		sb.WriteString(`{"StartAt":"P0","States":{`)
		for i := 0; i < k; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			if i == k-1 {
				sb.WriteString(`"P` + itoa(i) + `":{"Type":"Pass","End":true}`)
			} else {
				sb.WriteString(`"P` + itoa(i) + `":{"Type":"Pass","Next":"P` + itoa(i+1) + `"}`)
			}
		}
		sb.WriteString(`}}`)
		return sb.String()
	}
	// k Pass states make 2k+2 events: ExecutionStarted, 2 per state and the
	// final event. With a limit of 20: k=9 fits exactly, k=10 does not.
	for _, tc := range []struct {
		k  int
		ok bool
	}{{9, true}, {10, false}} {
		h := newHarness(t, chain(tc.k), `{}`, Standard, nil)
		h.r.limit = 20
		h.r.start()
		last := h.r.events[len(h.r.events)-1]
		if tc.ok != (h.r.finalStatus == Succeeded) || last.ID > 20 {
			t.Fatalf("k=%d: status %s, last event %d %s", tc.k, h.r.finalStatus, last.ID, last.Type)
		}
		if !tc.ok && (last.Type != "ExecutionFailed" || last.ID != 20 || h.r.err.name != "States.Runtime") {
			t.Fatalf("k=%d: last event %d %s, err %+v", tc.k, last.ID, last.Type, h.r.err)
		}
	}
	// EXPRESS executions have no history limit.
	h := newHarness(t, chain(30), `{}`, Express, nil)
	h.r.start()
	if h.r.finalStatus != Succeeded {
		t.Fatalf("express: %s", h.r.finalStatus)
	}
}

func itoa(i int) string { return jsonv.Number(int64(i)).String() }

func TestAbort(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"End":true}}}`, `{}`, Standard, nil)
	h.r.start()
	h.takeEffects()
	h.r.abort("Stop", "user")
	if h.r.finalStatus != Aborted || h.types()[len(h.types())-1] != "ExecutionAborted" {
		t.Fatalf("status %s events %v", h.r.finalStatus, h.types())
	}
	effs := h.takeEffects()
	if len(effs) != 1 || effs[0].cancelTimer == "" {
		t.Fatalf("effects %+v", effs)
	}
}

func TestMapToleratedFailures(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":%d,
		"ItemProcessor":{"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericLessThan":0,"Next":"Bad"}],"Default":"Good"},
			"Bad":{"Type":"Fail","Error":"Negative"},"Good":{"Type":"Pass","End":true}}},"End":true}}}`
	for _, tc := range []struct {
		tolerated int
		status    Status
		err       string
	}{{2, Succeeded, ""}, {1, Failed, "States.ExceedToleratedFailureThreshold"}} {
		h := newHarness(t, strings.Replace(def, "%d", itoa(tc.tolerated), 1), `[1,-1,2,-2,3]`, Standard, nil)
		h.r.start()
		if h.r.finalStatus != tc.status || tc.err != "" && h.r.err.name != tc.err {
			t.Fatalf("tolerated %d: status %s err %+v", tc.tolerated, h.r.finalStatus, h.r.err)
		}
	}
}

func TestMapMaxConcurrencyOrder(t *testing.T) {
	t.Parallel()
	// Tasks keep iterations open: with MaxConcurrency 2 only two run at once,
	// and results come back in item order whatever the completion order.
	h := newHarness(t, `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,
		"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},"End":true}}}`,
		`[10,20,30]`, Standard, nil)
	h.r.start()
	var tasks []*TaskRequest
	for _, ef := range h.takeEffects() {
		if ef.task != nil {
			tasks = append(tasks, ef.task)
		}
	}
	if len(tasks) != 2 {
		t.Fatalf("%d tasks running, want 2", len(tasks))
	}
	h.r.taskDone(tasks[1].ID, TaskResult{Output: jsonv.Number(2)})
	third := taskOf(t, h.takeEffects())
	h.r.taskDone(third.ID, TaskResult{Output: jsonv.Number(3)})
	h.r.taskDone(tasks[0].ID, TaskResult{Output: jsonv.Number(1)})
	if h.r.finalStatus != Succeeded || jsonv.String(h.r.output) != `[1,2,3]` {
		t.Fatalf("status %s output %s", h.r.finalStatus, jsonv.String(h.r.output))
	}
}

func TestStringMatches(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s, p string
		want bool
	}{
		{"log-2024.txt", "log-*.txt", true}, {"log.txt", "log-*.txt", false}, {"a*b", `a\*b`, true}, {"axb", `a\*b`, false},
		{"", "*", true}, {"abc", "*c", true}, {"abc", "a*", true}, {"abc", "*b*", true}, {"abc", "*d*", false}, {`a\b`, `a\\b`, true},
	} {
		if got := stringMatches(tc.s, tc.p); got != tc.want {
			t.Errorf("stringMatches(%q, %q) = %v", tc.s, tc.p, got)
		}
	}
}

func TestTaskTokenInParameters(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"MessageBody":{"token.$":"$$.Task.Token"}},"End":true}}}`, `{}`, Standard, nil)
	h.r.start()
	task := taskOf(t, h.takeEffects())
	body, _ := task.Input.(*jsonv.Object).Get("MessageBody")
	tok, _ := body.(*jsonv.Object).Get("token")
	if task.Token == "" || tok != task.Token {
		t.Fatalf("token in parameters %v, request token %q", tok, task.Token)
	}
	other := newHarness(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}`, `{}`, Standard, nil)
	other.r.x.ARN += "-2"
	other.r.start()
	if taskOf(t, other.takeEffects()).Token == task.Token {
		t.Fatal("two executions share a task token")
	}
}

func FuzzRestoreSnapshot(f *testing.F) {
	var pc programCache
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"End":true}}},"End":true}}}`
	p, err := pc.get(def)
	if err != nil {
		f.Fatal(err)
	}
	x := &Execution{ARN: "arn:aws:states:us-east-1:123456789012:execution:m:x", Type: Standard, LastEventID: 1}
	r := newRun(p, x, []any{jsonv.Number(1), jsonv.Number(2)}, ARNs{}, func() time.Time { return testT0 }, nil, true)
	r.start()
	snap, err := r.snapshot()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(snap)
	f.Add([]byte(`{"frames":[{"parent":-1,"state":"M","kids":{"children":[5],"items":[],"results":[]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r2 := newRun(p, x.Clone(), nil, ARNs{}, func() time.Time { return testT0 }, nil, true)
		if err := r2.restore(data); err != nil {
			return
		}
		// A restored run must snapshot again without failing.
		if _, err := r2.snapshot(); err != nil {
			return
		}
	})
}

func TestJSONataTaskArgumentsOutputCatch(t *testing.T) {
	t.Parallel()
	def := `{"QueryLanguage":"JSONata","StartAt":"Call","States":{
		"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
			"Arguments":{"FunctionName":"f","Payload":{"n":"{% $states.input.n * 2 %}"}},
			"Assign":{"seen":"{% $states.result.Payload %}"},
			"Output":"{% {'got': $states.result.Payload, 'in': $states.input.n} %}",
			"Catch":[{"ErrorEquals":["States.ALL"],"Output":"{% {'failed': $states.errorOutput.Error} %}","Next":"Done"}],
			"Next":"Done"},
		"Done":{"Type":"Pass","Output":"{% $merge([$states.input, {'seen': $exists($seen) ? $seen : null}]) %}","End":true}}}`
	for _, tc := range []struct {
		name   string
		result TaskResult
		want   string
	}{
		{"success", TaskResult{Output: jsonv.ObjectOf("Payload", jsonv.Number(42))}, `{"got":42,"in":21,"seen":42}`},
		{"caught", TaskResult{Failed: true, Error: "Boom", Cause: "x"}, `{"failed":"Boom","seen":null}`},
	} {
		h := newHarness(t, def, `{"n": 21}`, Standard, nil)
		h.r.start()
		task := taskOf(t, h.takeEffects())
		if got := jsonv.String(task.Input); got != `{"FunctionName":"f","Payload":{"n":42}}` {
			t.Fatalf("%s: task input %s", tc.name, got)
		}
		h.r.taskDone(task.ID, tc.result)
		if h.r.finalStatus != Succeeded || jsonv.String(h.r.output) != tc.want {
			t.Fatalf("%s: status %s output %s err %+v", tc.name, h.r.finalStatus, jsonv.String(h.r.output), h.r.err)
		}
	}
}
