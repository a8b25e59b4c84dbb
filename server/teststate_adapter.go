package server

import (
	"context"

	"stepwise/engine"
)

// MockedTestStateEngine runs one state alone with a mocked Task result: the
// designer's "Test a state" (the AWS API's TestState has no mock field).
type MockedTestStateEngine interface {
	TestStateMocked(ctx context.Context, in engine.TestStateInput) (*engine.TestStateOutput, error)
}

// TestState serves AWS's TestState with the engine. Task states need a
// mocked result, which this API form cannot carry, so they are refused.
func (a *EngineAdapter) TestState(ctx context.Context, in *TestStateInput) (*TestStateOutput, error) {
	out, err := a.eng.TestState(ctx, engine.TestStateInput{
		Definition: deref(in.Definition), Input: deref(in.Input), Variables: deref(in.Variables),
		InspectionLevel: deref(in.InspectionLevel),
	})
	if err != nil {
		return nil, convertErr(err)
	}
	return testStateOutput(out), nil
}

// TestStateMocked is TestState with a mocked Task result.
func (a *EngineAdapter) TestStateMocked(ctx context.Context, in engine.TestStateInput) (*engine.TestStateOutput, error) {
	out, err := a.eng.TestState(ctx, in)
	if err != nil {
		return nil, convertErr(err)
	}
	return out, nil
}

func testStateOutput(o *engine.TestStateOutput) *TestStateOutput {
	r := &TestStateOutput{Status: o.Status, InspectionData: o.Inspection.InspectionJSON()}
	if o.HasOutput {
		r.Output = &o.Output
	}
	if o.Error != "" {
		r.Error = &o.Error
	}
	if o.Cause != "" {
		r.Cause = &o.Cause
	}
	if o.NextState != "" {
		r.NextState = &o.NextState
	}
	return r
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
