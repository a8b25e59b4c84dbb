package designer_test

import (
	"testing"

	"stepwise/designer"
	"stepwise/designer/drafttest"
)

func TestMemStore(t *testing.T) {
	t.Parallel()
	drafttest.Run(t, func(*testing.T) designer.DraftStore { return designer.NewMemStore() })
}
