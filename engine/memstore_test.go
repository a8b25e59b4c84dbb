package engine_test

import (
	"testing"

	"stepwise/engine"
	"stepwise/engine/storetest"
)

func TestMemStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) engine.Store { return engine.NewMemStore() })
}
