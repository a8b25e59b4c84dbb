package server

import (
	"context"

	"stepwise/engine"
)

var _ RedriveEngine = (*EngineAdapter)(nil)

// RedriveExecution implements RedriveEngine.
func (a *EngineAdapter) RedriveExecution(ctx context.Context, in *RedriveExecutionInput) (*RedriveExecutionOutput, error) {
	_, rec, err := a.eng.RedriveExecution(ctx, str(in.ExecutionArn))
	if err != nil {
		return nil, convertErr(err)
	}
	return &RedriveExecutionOutput{RedriveDate: TimestampOf(rec.Date)}, nil
}

// withRedrive adds the redrive count, date and status of a STANDARD
// execution, as DescribeExecution reports them.
func (a *EngineAdapter) withRedrive(ctx context.Context, x *Execution, ex *engine.Execution) (*Execution, error) {
	if ex.Type == engine.Express {
		return x, nil
	}
	rec, err := a.eng.DescribeRedrive(ctx, ex.ARN)
	if err != nil {
		return nil, convertErr(err)
	}
	n := int32(rec.Count)
	x.RedriveCount = &n
	x.RedriveDate = TimestampOf(rec.Date)
	if ex.Status.Done() && ex.Status != engine.Succeeded {
		if ok, why := a.eng.ExecutionRedrivable(ex); ok {
			x.RedriveStatus = "REDRIVABLE"
		} else {
			x.RedriveStatus, x.RedriveStatusReason = "NOT_REDRIVABLE", why
		}
	} else {
		x.RedriveStatus = "NOT_REDRIVABLE"
		x.RedriveStatusReason = "Execution is " + string(ex.Status)
	}
	return x, nil
}
