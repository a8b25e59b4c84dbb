package server

import (
	"context"

	"stepwise/engine"
)

// This file makes EngineAdapter a VersionEngine and an AliasEngine.

var (
	_ VersionEngine = (*EngineAdapter)(nil)
	_ AliasEngine   = (*EngineAdapter)(nil)
)

// PublishStateMachineVersion implements VersionEngine.
func (a *EngineAdapter) PublishStateMachineVersion(ctx context.Context, in *PublishStateMachineVersionInput) (*PublishStateMachineVersionOutput, error) {
	v, err := a.eng.PublishStateMachineVersion(ctx, engine.PublishVersionInput{StateMachineARN: str(in.StateMachineArn),
		RevisionID: str(in.RevisionID), Description: str(in.Description)})
	if err != nil {
		return nil, convertErr(err)
	}
	return &PublishStateMachineVersionOutput{StateMachineVersionArn: v.ARN, CreationDate: TimestampOf(v.CreationDate)}, nil
}

// ListStateMachineVersions implements VersionEngine.
func (a *EngineAdapter) ListStateMachineVersions(ctx context.Context, in *ListStateMachineVersionsInput) (*ListStateMachineVersionsOutput, error) {
	list, next, err := a.eng.ListStateMachineVersions(ctx, str(in.StateMachineArn), engine.Page{Limit: limit(in.MaxResults), NextToken: str(in.NextToken)})
	if err != nil {
		return nil, convertErr(err)
	}
	out := &ListStateMachineVersionsOutput{StateMachineVersions: make([]StateMachineVersionListItem, 0, len(list)), NextToken: next}
	for _, v := range list {
		out.StateMachineVersions = append(out.StateMachineVersions, StateMachineVersionListItem{StateMachineVersionArn: v.ARN, CreationDate: TimestampOf(v.CreationDate)})
	}
	return out, nil
}

// DeleteStateMachineVersion implements VersionEngine.
func (a *EngineAdapter) DeleteStateMachineVersion(ctx context.Context, versionARN string) error {
	return convertErr(a.eng.DeleteStateMachineVersion(ctx, versionARN))
}

func toEngineRoutes(items []RoutingConfigurationListItem) []engine.AliasRoute {
	if items == nil {
		return nil
	}
	out := make([]engine.AliasRoute, 0, len(items))
	for _, it := range items {
		r := engine.AliasRoute{VersionARN: str(it.StateMachineVersionArn)}
		if it.Weight != nil {
			r.Weight = int(*it.Weight)
		}
		out = append(out, r)
	}
	return out
}

func fromEngineRoutes(routes []engine.AliasRoute) []RoutingConfigurationListItem {
	out := make([]RoutingConfigurationListItem, 0, len(routes))
	for _, r := range routes {
		arn, w := r.VersionARN, int32(r.Weight)
		out = append(out, RoutingConfigurationListItem{StateMachineVersionArn: &arn, Weight: &w})
	}
	return out
}

// CreateStateMachineAlias implements AliasEngine.
func (a *EngineAdapter) CreateStateMachineAlias(ctx context.Context, in *CreateStateMachineAliasInput) (*CreateStateMachineAliasOutput, error) {
	al, err := a.eng.CreateStateMachineAlias(ctx, engine.AliasInput{Name: str(in.Name), Description: in.Description,
		Routing: toEngineRoutes(in.RoutingConfiguration)})
	if err != nil {
		return nil, convertErr(err)
	}
	return &CreateStateMachineAliasOutput{StateMachineAliasArn: al.ARN, CreationDate: TimestampOf(al.CreationDate)}, nil
}

// DescribeStateMachineAlias implements AliasEngine.
func (a *EngineAdapter) DescribeStateMachineAlias(ctx context.Context, aliasARN string) (*StateMachineAlias, error) {
	al, err := a.eng.DescribeStateMachineAlias(ctx, aliasARN)
	if err != nil {
		return nil, convertErr(err)
	}
	return &StateMachineAlias{StateMachineAliasArn: al.ARN, Name: al.Name, Description: al.Description,
		RoutingConfiguration: fromEngineRoutes(al.Routing), CreationDate: TimestampOf(al.CreationDate),
		UpdateDate: TimestampOf(al.UpdateDate)}, nil
}

// UpdateStateMachineAlias implements AliasEngine.
func (a *EngineAdapter) UpdateStateMachineAlias(ctx context.Context, in *UpdateStateMachineAliasInput) (*UpdateStateMachineAliasOutput, error) {
	al, err := a.eng.UpdateStateMachineAlias(ctx, engine.AliasInput{ARN: str(in.StateMachineAliasArn), Description: in.Description,
		Routing: toEngineRoutes(in.RoutingConfiguration)})
	if err != nil {
		return nil, convertErr(err)
	}
	return &UpdateStateMachineAliasOutput{UpdateDate: TimestampOf(al.UpdateDate)}, nil
}

// DeleteStateMachineAlias implements AliasEngine.
func (a *EngineAdapter) DeleteStateMachineAlias(ctx context.Context, aliasARN string) error {
	return convertErr(a.eng.DeleteStateMachineAlias(ctx, aliasARN))
}

// ListStateMachineAliases implements AliasEngine.
func (a *EngineAdapter) ListStateMachineAliases(ctx context.Context, in *ListStateMachineAliasesInput) (*ListStateMachineAliasesOutput, error) {
	list, next, err := a.eng.ListStateMachineAliases(ctx, str(in.StateMachineArn), engine.Page{Limit: limit(in.MaxResults), NextToken: str(in.NextToken)})
	if err != nil {
		return nil, convertErr(err)
	}
	out := &ListStateMachineAliasesOutput{StateMachineAliases: make([]StateMachineAliasListItem, 0, len(list)), NextToken: next}
	for _, al := range list {
		out.StateMachineAliases = append(out.StateMachineAliases, StateMachineAliasListItem{StateMachineAliasArn: al.ARN, CreationDate: TimestampOf(al.CreationDate)})
	}
	return out, nil
}

// createPublished is CreateStateMachine with publish=true.
func (a *EngineAdapter) createPublished(ctx context.Context, in engine.CreateStateMachineInput, description string) (*CreateStateMachineOutput, error) {
	sm, v, err := a.eng.CreateStateMachinePublished(ctx, in, description)
	if err != nil {
		return nil, convertErr(err)
	}
	return &CreateStateMachineOutput{StateMachineArn: sm.ARN, CreationDate: TimestampOf(sm.CreationDate), StateMachineVersionArn: v.ARN}, nil
}

// updatePublished is UpdateStateMachine with publish=true.
func (a *EngineAdapter) updatePublished(ctx context.Context, in engine.UpdateStateMachineInput, description string) (*UpdateStateMachineOutput, error) {
	sm, v, err := a.eng.UpdateStateMachinePublished(ctx, in, description)
	if err != nil {
		return nil, convertErr(err)
	}
	return &UpdateStateMachineOutput{UpdateDate: TimestampOf(sm.UpdateDate), RevisionID: sm.RevisionID, StateMachineVersionArn: v.ARN}, nil
}

// withVersion adds the version and alias an execution was started with.
func (a *EngineAdapter) withVersion(ctx context.Context, x *Execution) (*Execution, error) {
	v, err := a.eng.DescribeExecutionVersion(ctx, x.ExecutionArn)
	if err != nil {
		return nil, convertErr(err)
	}
	x.StateMachineVersionArn, x.StateMachineAliasArn = v.VersionARN, v.AliasARN
	return x, nil
}
