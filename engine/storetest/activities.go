package storetest

import (
	"context"
	"testing"
	"time"

	"stepwise/engine"
)

// RunActivities runs the activity cases against stores that keep activities
// durably (engine.ActivityStore); newStore returns a fresh, empty store.
func RunActivities(t *testing.T, newStore func(t *testing.T) engine.ActivityStore) {
	t.Run("Activities", func(t *testing.T) {
		t.Parallel()
		testActivities(t, newStore(t))
	})
}

func testActivities(t *testing.T, s engine.ActivityStore) {
	ctx := context.Background()
	mk := func(name string, at time.Time) *engine.Activity {
		return &engine.Activity{ARN: arns.Activity(name), Name: name, CreationDate: at}
	}
	if _, err := s.GetActivity(ctx, arns.Activity("none")); engine.ErrorCode(err) != engine.ActivityDoesNotExist {
		t.Fatalf("GetActivity of an unknown activity: %v, want ActivityDoesNotExist", err)
	}
	for i, n := range []string{"b", "a", "c"} {
		if err := s.PutActivity(ctx, mk(n, t0.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatalf("PutActivity %s: %v", n, err)
		}
	}
	// A second put of the same ARN keeps the first (idempotent create).
	if err := s.PutActivity(ctx, mk("b", t0.Add(time.Hour))); err != nil {
		t.Fatalf("PutActivity b again: %v", err)
	}
	got, err := s.GetActivity(ctx, arns.Activity("b"))
	if err != nil || got.Name != "b" || !got.CreationDate.Equal(t0) {
		t.Fatalf("GetActivity b = %+v, %v; want created at %v", got, err, t0)
	}
	list, err := s.ListActivities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names string
	for _, a := range list {
		names += a.Name
	}
	if names != "abc" {
		t.Errorf("ListActivities order %q, want abc", names)
	}
	if err := s.DeleteActivity(ctx, arns.Activity("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteActivity(ctx, arns.Activity("a")); err != nil {
		t.Errorf("DeleteActivity twice: %v, want no error", err)
	}
	if _, err := s.GetActivity(ctx, arns.Activity("a")); engine.ErrorCode(err) != engine.ActivityDoesNotExist {
		t.Errorf("GetActivity after delete: %v", err)
	}
}
