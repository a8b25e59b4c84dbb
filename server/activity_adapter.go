package server

import (
	"context"

	"stepwise/engine"
)

// Interfaces the adapter serves with the engine's activities.
var (
	_ ActivityEngine  = (*EngineAdapter)(nil)
	_ ActivityMonitor = (*EngineAdapter)(nil)
)

func activityOf(a *engine.Activity) *Activity {
	return &Activity{ActivityArn: a.ARN, Name: a.Name, CreationDate: TimestampOf(a.CreationDate)}
}

// CreateActivity implements ActivityEngine (idempotent by name).
func (a *EngineAdapter) CreateActivity(ctx context.Context, in *CreateActivityInput) (*CreateActivityOutput, error) {
	act, err := a.eng.CreateActivity(ctx, str(in.Name))
	if err != nil {
		return nil, convertErr(err)
	}
	return &CreateActivityOutput{ActivityArn: act.ARN, CreationDate: TimestampOf(act.CreationDate)}, nil
}

// DeleteActivity implements ActivityEngine.
func (a *EngineAdapter) DeleteActivity(ctx context.Context, activityARN string) error {
	return convertErr(a.eng.DeleteActivity(ctx, activityARN))
}

// DescribeActivity implements ActivityEngine.
func (a *EngineAdapter) DescribeActivity(ctx context.Context, activityARN string) (*Activity, error) {
	act, err := a.eng.DescribeActivity(ctx, activityARN)
	if err != nil {
		return nil, convertErr(err)
	}
	return activityOf(act), nil
}

// ListActivities implements ActivityEngine.
func (a *EngineAdapter) ListActivities(ctx context.Context, in *ListActivitiesInput) (*ListActivitiesOutput, error) {
	l, next, err := a.eng.ListActivities(ctx, engine.Page{Limit: limit(in.MaxResults), NextToken: str(in.NextToken)})
	if err != nil {
		return nil, convertErr(err)
	}
	out := &ListActivitiesOutput{Activities: []Activity{}, NextToken: next}
	for _, act := range l {
		out.Activities = append(out.Activities, *activityOf(act))
	}
	return out, nil
}

// GetActivityTask implements ActivityEngine: it long-polls up to 60 s and
// answers with no token when no task arrived.
func (a *EngineAdapter) GetActivityTask(ctx context.Context, in *GetActivityTaskInput) (*GetActivityTaskOutput, error) {
	tok, input, err := a.eng.GetActivityTask(ctx, str(in.ActivityArn), str(in.WorkerName))
	if err != nil {
		return nil, convertErr(err)
	}
	if tok == "" {
		return &GetActivityTaskOutput{}, nil
	}
	return &GetActivityTaskOutput{TaskToken: &tok, Input: &input}, nil
}

// ActivityStatus implements ActivityMonitor.
func (a *EngineAdapter) ActivityStatus(ctx context.Context, activityARN string) (*ActivityStatus, error) {
	pending, workers, err := a.eng.ActivityStatus(ctx, activityARN)
	if err != nil {
		return nil, convertErr(err)
	}
	st := &ActivityStatus{PendingTasks: pending}
	for _, w := range workers {
		st.Workers = append(st.Workers, ActivityWorker{Name: w.Name, LastSeen: w.LastSeen})
	}
	return st, nil
}
