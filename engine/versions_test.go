package engine_test

import (
	"context"
	"strings"
	"testing"

	"stepwise/engine"
)

const (
	resultOne = `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1,"End":true}}}`
	resultTwo = `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":2,"End":true}}}`
)

// versionedMachine creates machine name with two published versions: 1
// outputs 1, 2 outputs 2.
func versionedMachine(t *testing.T, e *engine.Engine, name string) (*engine.StateMachine, *engine.StateMachineVersion, *engine.StateMachineVersion) {
	t.Helper()
	ctx := context.Background()
	sm, v1, err := e.CreateStateMachinePublished(ctx, engine.CreateStateMachineInput{Name: name, Definition: resultOne}, "first")
	if err != nil {
		t.Fatal(err)
	}
	_, v2, err := e.UpdateStateMachinePublished(ctx, engine.UpdateStateMachineInput{ARN: sm.ARN, Definition: resultTwo}, "second")
	if err != nil {
		t.Fatal(err)
	}
	return sm, v1, v2
}

func TestPublishVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTestEngine(t, engine.Options{})
	sm, v1, v2 := versionedMachine(t, e, "m")
	if v1.ARN != sm.ARN+":1" || v2.ARN != sm.ARN+":2" || v1.Description != "first" || v1.Definition != resultOne {
		t.Fatalf("versions %+v, %+v", v1, v2)
	}
	// Nothing changed since version 2: publishing returns it.
	again, err := e.PublishStateMachineVersion(ctx, engine.PublishVersionInput{StateMachineARN: sm.ARN})
	if err != nil || again.ARN != v2.ARN {
		t.Fatalf("publish without change = %v, %v; want %s", again, err, v2.ARN)
	}
	cur, err := e.DescribeStateMachine(ctx, sm.ARN)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.PublishStateMachineVersion(ctx, engine.PublishVersionInput{StateMachineARN: sm.ARN, RevisionID: "stale"})
	if engine.ErrorCode(err) != engine.ConflictException {
		t.Fatalf("publish with a stale revision: %v, want ConflictException", err)
	}
	if _, err := e.UpdateStateMachine(ctx, engine.UpdateStateMachineInput{ARN: sm.ARN, Definition: resultOne}); err != nil {
		t.Fatal(err)
	}
	_, err = e.PublishStateMachineVersion(ctx, engine.PublishVersionInput{StateMachineARN: sm.ARN, RevisionID: cur.RevisionID})
	if engine.ErrorCode(err) != engine.ConflictException {
		t.Fatalf("publish with the revision before the update: %v, want ConflictException", err)
	}
	v3, err := e.PublishStateMachineVersion(ctx, engine.PublishVersionInput{StateMachineARN: sm.ARN, Description: "third"})
	if err != nil || v3.Version != 3 {
		t.Fatalf("publish after update = %v, %v", v3, err)
	}
	list, _, err := e.ListStateMachineVersions(ctx, sm.ARN, engine.Page{})
	if err != nil || len(list) != 3 || list[0].ARN != v3.ARN {
		t.Fatalf("ListStateMachineVersions = %v, %v", list, err)
	}
	if err := e.DeleteStateMachine(ctx, sm.ARN); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DescribeStateMachineVersion(ctx, v3.ARN); engine.ErrorCode(err) != engine.ResourceNotFound {
		t.Fatalf("version of a deleted machine: %v", err)
	}
	_, _, err = e.ListStateMachineVersions(ctx, sm.ARN+"x", engine.Page{})
	if engine.ErrorCode(err) != engine.StateMachineDoesNotExist {
		t.Fatalf("list versions of a missing machine: %v", err)
	}
}

func TestAliasErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTestEngine(t, engine.Options{})
	sm, v1, v2 := versionedMachine(t, e, "m")
	other, o1, _ := versionedMachine(t, e, "other")
	desc := "d"
	tests := []struct {
		name string
		in   engine.AliasInput
		code string
	}{
		{"no routes", engine.AliasInput{Name: "a"}, engine.ValidationException},
		{"three routes", engine.AliasInput{Name: "a", Routing: []engine.AliasRoute{{v1.ARN, 50}, {v2.ARN, 50}, {v1.ARN, 0}}}, engine.ValidationException},
		{"weights not 100", engine.AliasInput{Name: "a", Routing: []engine.AliasRoute{{v1.ARN, 50}, {v2.ARN, 40}}}, engine.ValidationException},
		{"negative weight", engine.AliasInput{Name: "a", Routing: []engine.AliasRoute{{v1.ARN, 101}, {v2.ARN, -1}}}, engine.ValidationException},
		{"same version twice", engine.AliasInput{Name: "a", Routing: []engine.AliasRoute{{v1.ARN, 50}, {v1.ARN, 50}}}, engine.ValidationException},
		{"two machines", engine.AliasInput{Name: "a", Routing: []engine.AliasRoute{{v1.ARN, 50}, {o1.ARN, 50}}}, engine.ValidationException},
		{"missing version", engine.AliasInput{Name: "a", Routing: []engine.AliasRoute{{sm.ARN + ":9", 100}}}, engine.ResourceNotFound},
		{"not a version ARN", engine.AliasInput{Name: "a", Routing: []engine.AliasRoute{{sm.ARN, 100}}}, engine.InvalidArn},
		{"numeric name", engine.AliasInput{Name: "12", Routing: []engine.AliasRoute{{v1.ARN, 100}}}, engine.InvalidName},
		{"bad name", engine.AliasInput{Name: "a b", Routing: []engine.AliasRoute{{v1.ARN, 100}}}, engine.InvalidName},
		{"ok", engine.AliasInput{Name: "live", Description: &desc, Routing: []engine.AliasRoute{{v1.ARN, 100}}}, ""},
	}
	for _, tc := range tests {
		_, err := e.CreateStateMachineAlias(ctx, tc.in)
		if got := engine.ErrorCode(err); got != tc.code {
			t.Errorf("%s: error %v, want code %q", tc.name, err, tc.code)
		}
	}
	// Same alias again: idempotent; different routing: conflict.
	if _, err := e.CreateStateMachineAlias(ctx, engine.AliasInput{Name: "live", Description: &desc, Routing: []engine.AliasRoute{{v1.ARN, 100}}}); err != nil {
		t.Fatalf("identical create: %v", err)
	}
	_, err := e.CreateStateMachineAlias(ctx, engine.AliasInput{Name: "live", Routing: []engine.AliasRoute{{v2.ARN, 100}}})
	if engine.ErrorCode(err) != engine.ConflictException {
		t.Fatalf("conflicting create: %v", err)
	}
	if err := e.DeleteStateMachineVersion(ctx, v1.ARN); engine.ErrorCode(err) != engine.ConflictException {
		t.Fatalf("delete a routed version: %v", err)
	}
	_, err = e.UpdateStateMachineAlias(ctx, engine.AliasInput{ARN: sm.ARN + ":live", Routing: []engine.AliasRoute{{o1.ARN, 100}}})
	if engine.ErrorCode(err) != engine.ValidationException {
		t.Fatalf("update to another machine's version: %v", err)
	}
	_, err = e.UpdateStateMachineAlias(ctx, engine.AliasInput{ARN: sm.ARN + ":live"})
	if engine.ErrorCode(err) != engine.ValidationException {
		t.Fatalf("update without changes: %v", err)
	}
	_, err = e.UpdateStateMachineAlias(ctx, engine.AliasInput{ARN: other.ARN + ":live", Description: &desc})
	if engine.ErrorCode(err) != engine.ResourceNotFound {
		t.Fatalf("update a missing alias: %v", err)
	}
	if _, err := e.DescribeStateMachineAlias(ctx, sm.ARN+":1"); engine.ErrorCode(err) != engine.InvalidArn {
		t.Fatalf("describe a version ARN as alias: %v", err)
	}
	a, err := e.UpdateStateMachineAlias(ctx, engine.AliasInput{ARN: sm.ARN + ":live", Routing: []engine.AliasRoute{{v2.ARN, 100}}})
	if err != nil || a.Routing[0].VersionARN != v2.ARN || a.Description != desc {
		t.Fatalf("update = %+v, %v", a, err)
	}
	if err := e.DeleteStateMachineVersion(ctx, v1.ARN); err != nil {
		t.Fatalf("delete a version no alias routes to: %v", err)
	}
	if err := e.DeleteStateMachineAlias(ctx, a.ARN); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DescribeStateMachineAlias(ctx, a.ARN); engine.ErrorCode(err) != engine.ResourceNotFound {
		t.Fatalf("describe a deleted alias: %v", err)
	}
}

func TestPickRoute(t *testing.T) {
	t.Parallel()
	routes := []engine.AliasRoute{{"a", 30}, {"b", 70}}
	tests := []struct {
		n    int
		want string
	}{{0, "a"}, {29, "a"}, {30, "b"}, {99, "b"}}
	for _, tc := range tests {
		if got := engine.PickRoute(routes, tc.n); got != tc.want {
			t.Errorf("PickRoute(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
	if got := engine.PickRoute([]engine.AliasRoute{{"a", 0}, {"b", 100}}, 0); got != "b" {
		t.Errorf("a weight of 0 got picked: %s", got)
	}
}

// TestStartVersionAndAlias runs a version and an alias: each runs its
// version's definition (not the machine's current one) and the execution
// records which version and alias it ran.
func TestStartVersionAndAlias(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var pick float64
	store := engine.NewMemStore()
	e := newTestEngine(t, engine.Options{Store: store, Rand: func() float64 { return pick }})
	sm, v1, v2 := versionedMachine(t, e, "m")
	if _, err := e.UpdateStateMachine(ctx, engine.UpdateStateMachineInput{ARN: sm.ARN, Definition: passDef}); err != nil {
		t.Fatal(err)
	}
	alias, err := e.CreateStateMachineAlias(ctx, engine.AliasInput{Name: "canary",
		Routing: []engine.AliasRoute{{v1.ARN, 90}, {v2.ARN, 10}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, arn   string
		pick        float64
		output      string
		version     string
		aliasARN    string
		description string
	}{
		{"version 1", v1.ARN, 0, "1", v1.ARN, "", ""},
		{"version 2", v2.ARN, 0, "2", v2.ARN, "", ""},
		{"alias low", alias.ARN, 0.5, "1", v1.ARN, alias.ARN, ""},
		{"alias high", alias.ARN, 0.95, "2", v2.ARN, alias.ARN, ""},
		{"machine", sm.ARN, 0, `{}`, "", "", ""},
	}
	for i, tc := range tests {
		pick = tc.pick
		x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: tc.arn, Name: "x" + string(rune('a'+i))})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if x.StateMachineARN != sm.ARN {
			t.Errorf("%s: stateMachineArn %s, want %s", tc.name, x.StateMachineARN, sm.ARN)
		}
		waitForEvent(t, store, x.ARN, "ExecutionSucceeded", 1)
		done, err := e.DescribeExecution(ctx, x.ARN)
		if err != nil || done.Output != tc.output {
			t.Errorf("%s: output %q, %v; want %q", tc.name, done.Output, err, tc.output)
		}
		ev, err := e.DescribeExecutionVersion(ctx, x.ARN)
		if err != nil || ev.VersionARN != tc.version || ev.AliasARN != tc.aliasARN {
			t.Errorf("%s: version %+v, %v; want %s, %s", tc.name, ev, err, tc.version, tc.aliasARN)
		}
	}
	for _, arn := range []string{sm.ARN + ":7", sm.ARN + ":nope"} {
		_, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: arn})
		if code := engine.ErrorCode(err); code != engine.StateMachineDoesNotExist {
			t.Errorf("start %s: %v", arn, err)
		}
	}
}

func FuzzSplitQualifiedARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:states:us-east-1:123456789012:stateMachine:m:1",
		"arn:aws:states:us-east-1:123456789012:stateMachine:m:prod",
		"arn:aws:states:us-east-1:123456789012:stateMachine:m",
		"arn:aws:states:us-east-1:123456789012:stateMachine:m:",
		"arn:aws:states:us-east-1:123456789012:execution:m:x",
		"arn:aws:states:::stateMachine::1:2", "", ":::::::",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		base, q, ok := engine.SplitQualifiedARN(arn)
		if !ok {
			if base != "" || q != "" {
				t.Fatalf("not ok but returned %q, %q", base, q)
			}
			return
		}
		if base+":"+q != arn || q == "" || strings.Contains(q, ":") {
			t.Fatalf("SplitQualifiedARN(%q) = %q, %q", arn, base, q)
		}
		if res, rest, valid := engine.ParseARN(base); !valid || res != "stateMachine" || rest == "" || strings.Contains(rest, ":") {
			t.Fatalf("base %q of %q is not a machine ARN", base, arn)
		}
	})
}
