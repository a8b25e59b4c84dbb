// Package registrytest is the behavior every registry.Registry must show,
// as one test suite run against each implementation. It imports testing and
// engine/registry only.
package registrytest

import (
	"context"
	"errors"
	"testing"

	"stepwise/engine/registry"
)

// Run runs the suite; open returns an empty registry for each subtest.
func Run(t *testing.T, open func(t *testing.T) registry.Registry) {
	t.Run("connections", func(t *testing.T) {
		t.Parallel()
		r := open(t)
		ctx := t.Context()
		if _, err := r.GetConnection(ctx, "a"); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("get missing: %v", err)
		}
		a := registry.Connection{Name: "a", Description: "first", AuthType: registry.AuthAPIKey, APIKeyName: "X-Key", APIKeyValue: "v1",
			Headers: map[string]string{"X-Team": "blue"}}
		b := registry.Connection{Name: "b", AuthType: registry.AuthOAuth, AuthorizationEndpoint: "https://auth.example/token", HTTPMethod: "POST",
			ClientID: "id", ClientSecret: "sec", Scope: "read"}
		for _, c := range []registry.Connection{b, a} {
			if err := r.PutConnection(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := r.GetConnection(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		if got.APIKeyValue != "v1" || got.APIKeyName != "X-Key" || got.Headers["X-Team"] != "blue" || got.ID == "" || got.Description != "first" {
			t.Errorf("got %+v", got.Redacted())
		}
		id := got.ID
		a.APIKeyValue = "v2"
		if err := r.PutConnection(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.GetConnection(ctx, "a"); got.APIKeyValue != "v2" || got.ID != id {
			t.Errorf("replace: %+v", got.Redacted())
		}
		list, err := r.ListConnections(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "a" || list[1].Name != "b" || list[1].ClientSecret != "sec" || list[1].Scope != "read" {
			t.Fatalf("list %v %v", len(list), err)
		}
		if err := r.DeleteConnection(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if err := r.DeleteConnection(ctx, "a"); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("delete twice: %v", err)
		}
		if err := r.PutConnection(ctx, registry.Connection{Name: "bad name", AuthType: registry.AuthBasic, Username: "u", Password: "p"}); err == nil {
			t.Error("bad name accepted")
		}
		if err := r.PutConnection(ctx, registry.Connection{Name: "c", AuthType: registry.AuthBasic, Username: "u"}); err == nil {
			t.Error("basic without password accepted")
		}
	})
	t.Run("functions", func(t *testing.T) {
		t.Parallel()
		r := open(t)
		ctx := context.Background()
		if _, err := r.GetFunction(ctx, "f"); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("get missing: %v", err)
		}
		for _, f := range []registry.Function{{Name: "g", URL: "https://g.example/run"}, {Name: "f", URL: "http://f.example/", TimeoutSeconds: 30, Description: "d"}} {
			if err := r.PutFunction(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		got, err := r.GetFunction(ctx, "f")
		if err != nil || got.URL != "http://f.example/" || got.TimeoutSeconds != 30 || got.Description != "d" {
			t.Fatalf("got %+v %v", got, err)
		}
		if err := r.PutFunction(ctx, registry.Function{Name: "f", URL: "http://f2.example/"}); err != nil {
			t.Fatal(err)
		}
		list, err := r.ListFunctions(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "f" || list[0].URL != "http://f2.example/" {
			t.Fatalf("list %+v %v", list, err)
		}
		for _, bad := range []registry.Function{{Name: "", URL: "http://x/"}, {Name: "x", URL: "ftp://x/"}, {Name: "x", URL: "/rel"}, {Name: "x", URL: "http://x/", TimeoutSeconds: 901}} {
			if err := r.PutFunction(ctx, bad); err == nil {
				t.Errorf("accepted %+v", bad)
			}
		}
		if err := r.DeleteFunction(ctx, "f"); err != nil {
			t.Fatal(err)
		}
		if err := r.DeleteFunction(ctx, "f"); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("delete twice: %v", err)
		}
	})
}
