package registry_test

import (
	"testing"

	"stepwise/engine/registry"
	"stepwise/engine/registry/registrytest"
)

func TestMem(t *testing.T) {
	t.Parallel()
	registrytest.Run(t, func(*testing.T) registry.Registry { return registry.NewMem() })
}

func TestRedacted(t *testing.T) {
	t.Parallel()
	c := registry.Connection{Name: "c", APIKeyValue: "k", Password: "p", ClientSecret: "s", Username: "u"}
	r := c.Redacted()
	if r.APIKeyValue != "" || r.Password != "" || r.ClientSecret != "" || r.Username != "u" || c.Password != "p" {
		t.Errorf("%+v", r)
	}
}
