package storetest

import (
	"context"
	"testing"
	"time"

	"stepwise/engine"
)

// testVersions runs against stores that implement engine.VersionStore.
func testVersions(t *testing.T, s engine.Store) {
	vs, ok := s.(engine.VersionStore)
	if !ok {
		t.Skip("the store does not implement engine.VersionStore")
	}
	ctx := context.Background()
	sm := machine("versioned")
	if err := s.CreateStateMachine(ctx, sm); err != nil {
		t.Fatal(err)
	}
	publish := func(rev string) (*engine.StateMachineVersion, bool) {
		t.Helper()
		v, created, err := vs.PublishVersion(ctx, &engine.StateMachineVersion{StateMachineARN: sm.ARN,
			Definition: sm.Definition, RoleARN: sm.RoleARN, Type: sm.Type, Description: "rev " + rev,
			RevisionID: rev, CreationDate: t0})
		if err != nil {
			t.Fatal(err)
		}
		return v, created
	}
	v1, created := publish("a")
	if !created || v1.Version != 1 || v1.ARN != sm.ARN+":1" {
		t.Fatalf("first publish = %+v, created %v; want version 1 at %s:1", v1, created, sm.ARN)
	}
	again, created := publish("a")
	if created || again.ARN != v1.ARN {
		t.Fatalf("publish of the same revision = %s, created %v; want %s, not created", again.ARN, created, v1.ARN)
	}
	v2, _ := publish("b")
	v3, _ := publish("c")
	if v2.Version != 2 || v3.Version != 3 {
		t.Fatalf("versions %d, %d; want 2, 3", v2.Version, v3.Version)
	}
	got, err := vs.GetVersion(ctx, v2.ARN)
	if err != nil || got.Definition != sm.Definition || got.Description != "rev b" || got.RevisionID != "b" ||
		got.Type != sm.Type || !got.CreationDate.Equal(t0) {
		t.Fatalf("GetVersion = %+v, %v", got, err)
	}
	_, err = vs.GetVersion(ctx, sm.ARN+":9")
	wantCode(t, err, engine.ResourceNotFound)

	// Newest first, in pages of two.
	page1, next, err := vs.ListVersions(ctx, sm.ARN, engine.Page{Limit: 2})
	if err != nil || len(page1) != 2 || page1[0].Version != 3 || page1[1].Version != 2 || next == "" {
		t.Fatalf("ListVersions page 1 = %v, %q, %v", page1, next, err)
	}
	page2, next, err := vs.ListVersions(ctx, sm.ARN, engine.Page{Limit: 2, NextToken: next})
	if err != nil || len(page2) != 1 || page2[0].Version != 1 || next != "" {
		t.Fatalf("ListVersions page 2 = %v, %q, %v", page2, next, err)
	}

	// Aliases.
	a := &engine.StateMachineAlias{ARN: sm.ARN + ":prod", StateMachineARN: sm.ARN, Name: "prod", Description: "d",
		Routing:      []engine.AliasRoute{{VersionARN: v2.ARN, Weight: 70}, {VersionARN: v3.ARN, Weight: 30}},
		CreationDate: t0, UpdateDate: t0}
	if err := vs.CreateAlias(ctx, a); err != nil {
		t.Fatal(err)
	}
	wantCode(t, vs.CreateAlias(ctx, a), engine.ConflictException)
	b := &engine.StateMachineAlias{ARN: sm.ARN + ":beta", StateMachineARN: sm.ARN, Name: "beta",
		Routing: []engine.AliasRoute{{VersionARN: v1.ARN, Weight: 100}}, CreationDate: t0, UpdateDate: t0}
	if err := vs.CreateAlias(ctx, b); err != nil {
		t.Fatal(err)
	}
	gotA, err := vs.GetAlias(ctx, a.ARN)
	if err != nil || gotA.Name != "prod" || gotA.Description != "d" || len(gotA.Routing) != 2 ||
		gotA.Routing[0] != a.Routing[0] || gotA.Routing[1] != a.Routing[1] || !gotA.CreationDate.Equal(t0) {
		t.Fatalf("GetAlias = %+v, %v", gotA, err)
	}
	aliases, next, err := vs.ListAliases(ctx, sm.ARN, engine.Page{Limit: 1})
	if err != nil || len(aliases) != 1 || aliases[0].Name != "beta" || next == "" {
		t.Fatalf("ListAliases page 1 = %v, %q, %v", aliases, next, err)
	}
	aliases, next, err = vs.ListAliases(ctx, sm.ARN, engine.Page{Limit: 1, NextToken: next})
	if err != nil || len(aliases) != 1 || aliases[0].Name != "prod" {
		t.Fatalf("ListAliases page 2 = %v, %q, %v", aliases, next, err)
	}

	// A version an alias routes to cannot be deleted; once the alias moves
	// away it can.
	wantCode(t, vs.DeleteVersion(ctx, v2.ARN), engine.ConflictException)
	a.Routing = []engine.AliasRoute{{VersionARN: v3.ARN, Weight: 100}}
	a.UpdateDate = t0.Add(time.Hour)
	if err := vs.UpdateAlias(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := vs.DeleteVersion(ctx, v2.ARN); err != nil {
		t.Fatalf("DeleteVersion after the alias moved: %v", err)
	}
	_, err = vs.GetVersion(ctx, v2.ARN)
	wantCode(t, err, engine.ResourceNotFound)
	if err := vs.DeleteVersion(ctx, v2.ARN); err != nil {
		t.Fatalf("DeleteVersion of a deleted version: %v", err)
	}
	gotA, err = vs.GetAlias(ctx, a.ARN)
	if err != nil || len(gotA.Routing) != 1 || !gotA.UpdateDate.Equal(t0.Add(time.Hour)) {
		t.Fatalf("GetAlias after update = %+v, %v", gotA, err)
	}
	wantCode(t, vs.UpdateAlias(ctx, &engine.StateMachineAlias{ARN: sm.ARN + ":nope", Routing: a.Routing}), engine.ResourceNotFound)

	// Numbers are not reused after a delete.
	if err := vs.DeleteAlias(ctx, a.ARN); err != nil {
		t.Fatal(err)
	}
	_, err = vs.GetAlias(ctx, a.ARN)
	wantCode(t, err, engine.ResourceNotFound)
	if err := vs.DeleteVersion(ctx, v3.ARN); err != nil {
		t.Fatal(err)
	}
	v4, _ := publish("d")
	if v4.Version != 4 {
		t.Fatalf("version after deleting 3 = %d, want 4", v4.Version)
	}

	// Deleting the machine's versions leaves no version or alias behind.
	if err := vs.DeleteMachineVersions(ctx, sm.ARN); err != nil {
		t.Fatal(err)
	}
	if vl, _, err := vs.ListVersions(ctx, sm.ARN, engine.Page{}); err != nil || len(vl) != 0 {
		t.Fatalf("versions after DeleteMachineVersions: %v, %v", vl, err)
	}
	if al, _, err := vs.ListAliases(ctx, sm.ARN, engine.Page{}); err != nil || len(al) != 0 {
		t.Fatalf("aliases after DeleteMachineVersions: %v, %v", al, err)
	}

	if xs, ok := s.(engine.ExecutionVersionStore); ok {
		x := "arn:aws:states:us-east-1:123456789012:execution:versioned:x"
		if got, err := xs.GetExecutionVersion(ctx, x); err != nil || got != (engine.ExecutionVersion{}) {
			t.Fatalf("GetExecutionVersion before = %+v, %v", got, err)
		}
		want := engine.ExecutionVersion{VersionARN: v4.ARN, AliasARN: b.ARN}
		if err := xs.PutExecutionVersion(ctx, x, want); err != nil {
			t.Fatal(err)
		}
		if got, err := xs.GetExecutionVersion(ctx, x); err != nil || got != want {
			t.Fatalf("GetExecutionVersion = %+v, %v; want %+v", got, err, want)
		}
	}
}

// testRedrives runs against stores that implement engine.RedriveStore.
func testRedrives(t *testing.T, s engine.Store) {
	rs, ok := s.(engine.RedriveStore)
	if !ok {
		t.Skip("the store does not implement engine.RedriveStore")
	}
	ctx := context.Background()
	x := "arn:aws:states:us-east-1:123456789012:execution:m:x"
	if got, err := rs.GetRedrive(ctx, x); err != nil || got != (engine.Redrive{}) {
		t.Fatalf("GetRedrive before any = %+v, %v", got, err)
	}
	for i := 1; i <= 2; i++ {
		want := engine.Redrive{Count: i, Date: t0.Add(time.Duration(i) * time.Minute)}
		if err := rs.PutRedrive(ctx, x, want); err != nil {
			t.Fatal(err)
		}
		got, err := rs.GetRedrive(ctx, x)
		if err != nil || got.Count != want.Count || !got.Date.Equal(want.Date) {
			t.Fatalf("GetRedrive = %+v, %v; want %+v", got, err, want)
		}
	}
}
