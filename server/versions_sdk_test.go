package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TestSDKVersionsAndAliases drives versions and aliases of the real engine
// through the AWS SDK, error cases included.
func TestSDKVersionsAndAliases(t *testing.T) {
	t.Parallel()
	url, _ := realServer(t)
	c := sdkClient(url)
	ctx := sdkContext()
	const one = `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1,"End":true}}}`
	const two = `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":2,"End":true}}}`
	const role = "arn:aws:iam::123456789012:role/r"

	created := must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine publish")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("versioned"), Definition: aws.String(one), RoleArn: aws.String(role),
		Publish: true, VersionDescription: aws.String("first")}))
	smArn := aws.ToString(created.StateMachineArn)
	v1 := aws.ToString(created.StateMachineVersionArn)
	if v1 != smArn+":1" {
		t.Fatalf("CreateStateMachine publish: version %q, want %s:1", v1, smArn)
	}
	upd := must[*sfn.UpdateStateMachineOutput](t, "UpdateStateMachine publish")(c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{
		StateMachineArn: aws.String(smArn), Definition: aws.String(two), Publish: true, VersionDescription: aws.String("second")}))
	v2 := aws.ToString(upd.StateMachineVersionArn)
	if v2 != smArn+":2" || aws.ToString(upd.RevisionId) == "" {
		t.Fatalf("UpdateStateMachine publish: version %q, revision %q", v2, aws.ToString(upd.RevisionId))
	}
	pub := must[*sfn.PublishStateMachineVersionOutput](t, "PublishStateMachineVersion unchanged")(c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{
		StateMachineArn: aws.String(smArn), RevisionId: upd.RevisionId}))
	if aws.ToString(pub.StateMachineVersionArn) != v2 || pub.CreationDate == nil {
		t.Errorf("publishing an unchanged machine = %s, want %s", aws.ToString(pub.StateMachineVersionArn), v2)
	}
	_, err := c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(smArn), RevisionId: aws.String("stale")})
	wantCode(t, "PublishStateMachineVersion stale revision", err, "ConflictException")
	_, err = c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(smArn + "-missing")})
	wantCode(t, "PublishStateMachineVersion missing machine", err, "StateMachineDoesNotExist")

	vl := must[*sfn.ListStateMachineVersionsOutput](t, "ListStateMachineVersions")(c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{
		StateMachineArn: aws.String(smArn), MaxResults: 1}))
	if len(vl.StateMachineVersions) != 1 || aws.ToString(vl.StateMachineVersions[0].StateMachineVersionArn) != v2 || vl.NextToken == nil {
		t.Fatalf("ListStateMachineVersions page 1 = %+v", vl)
	}
	vl = must[*sfn.ListStateMachineVersionsOutput](t, "ListStateMachineVersions page 2")(c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{
		StateMachineArn: aws.String(smArn), MaxResults: 1, NextToken: vl.NextToken}))
	if len(vl.StateMachineVersions) != 1 || aws.ToString(vl.StateMachineVersions[0].StateMachineVersionArn) != v1 {
		t.Fatalf("ListStateMachineVersions page 2 = %+v", vl)
	}
	_, err = c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(smArn + "-missing")})
	wantCode(t, "ListStateMachineVersions missing machine", err, "StateMachineDoesNotExist")
	_, err = c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(smArn), NextToken: aws.String("garbage")})
	wantCode(t, "ListStateMachineVersions bad token", err, "InvalidToken")

	// Aliases.
	route := func(arn string, w int32) types.RoutingConfigurationListItem {
		return types.RoutingConfigurationListItem{StateMachineVersionArn: aws.String(arn), Weight: w}
	}
	al := must[*sfn.CreateStateMachineAliasOutput](t, "CreateStateMachineAlias")(c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{
		Name: aws.String("prod"), Description: aws.String("production"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 100)}}))
	aliasArn := aws.ToString(al.StateMachineAliasArn)
	if aliasArn != smArn+":prod" || al.CreationDate == nil {
		t.Fatalf("CreateStateMachineAlias = %s", aliasArn)
	}
	_, err = c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("prod"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{route(v2, 100)}})
	wantCode(t, "CreateStateMachineAlias conflicting", err, "ConflictException")
	_, err = c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("half"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 50), route(v2, 40)}})
	wantCode(t, "CreateStateMachineAlias weights not 100", err, "ValidationException")
	_, err = c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("gone"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{route(smArn+":9", 100)}})
	wantCode(t, "CreateStateMachineAlias missing version", err, "ResourceNotFound")

	d := must[*sfn.DescribeStateMachineAliasOutput](t, "DescribeStateMachineAlias")(c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasArn)}))
	if aws.ToString(d.Name) != "prod" || aws.ToString(d.Description) != "production" || len(d.RoutingConfiguration) != 1 ||
		aws.ToString(d.RoutingConfiguration[0].StateMachineVersionArn) != v1 || d.RoutingConfiguration[0].Weight != 100 {
		t.Errorf("DescribeStateMachineAlias = %+v", d)
	}
	_, err = c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(smArn + ":nope")})
	wantCode(t, "DescribeStateMachineAlias missing", err, "ResourceNotFound")

	// Executions of a version and of the alias run that version's definition.
	runOutput := func(what, arn string) *sfn.DescribeExecutionOutput {
		t.Helper()
		x := must[*sfn.StartExecutionOutput](t, "StartExecution "+what)(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn)}))
		return waitDone(t, c, aws.ToString(x.ExecutionArn))
	}
	if d := runOutput("version 1", v1); aws.ToString(d.Output) != "1" || aws.ToString(d.StateMachineVersionArn) != v1 ||
		d.StateMachineAliasArn != nil || aws.ToString(d.StateMachineArn) != smArn {
		t.Errorf("execution of version 1: output %s, version %s, alias %s", aws.ToString(d.Output), aws.ToString(d.StateMachineVersionArn), aws.ToString(d.StateMachineAliasArn))
	}
	if d := runOutput("alias", aliasArn); aws.ToString(d.Output) != "1" || aws.ToString(d.StateMachineVersionArn) != v1 ||
		aws.ToString(d.StateMachineAliasArn) != aliasArn {
		t.Errorf("execution of the alias: output %s, version %s, alias %s", aws.ToString(d.Output), aws.ToString(d.StateMachineVersionArn), aws.ToString(d.StateMachineAliasArn))
	}
	if d := runOutput("machine", smArn); aws.ToString(d.Output) != "2" || d.StateMachineVersionArn != nil {
		t.Errorf("execution of the machine: output %s, version %s", aws.ToString(d.Output), aws.ToString(d.StateMachineVersionArn))
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn + ":7")})
	wantCode(t, "StartExecution missing version", err, "StateMachineDoesNotExist")

	_, err = c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(v1)})
	wantCode(t, "DeleteStateMachineVersion routed by an alias", err, "ConflictException")
	must[*sfn.UpdateStateMachineAliasOutput](t, "UpdateStateMachineAlias")(c.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{
		StateMachineAliasArn: aws.String(aliasArn), RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 20), route(v2, 80)}}))
	d = must[*sfn.DescribeStateMachineAliasOutput](t, "DescribeStateMachineAlias after update")(c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasArn)}))
	if len(d.RoutingConfiguration) != 2 || d.RoutingConfiguration[1].Weight != 80 || aws.ToString(d.Description) != "production" || d.UpdateDate == nil {
		t.Errorf("alias after update = %+v", d)
	}
	_, err = c.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(smArn + ":nope"), Description: aws.String("x")})
	wantCode(t, "UpdateStateMachineAlias missing", err, "ResourceNotFound")
	_, err = c.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasArn)})
	wantCode(t, "UpdateStateMachineAlias without changes", err, "ValidationException")
	_, err = c.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasArn),
		RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 20), route(v1, 80)}})
	wantCode(t, "UpdateStateMachineAlias repeated version", err, "ValidationException")

	aliases := must[*sfn.ListStateMachineAliasesOutput](t, "ListStateMachineAliases")(c.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: aws.String(smArn)}))
	if len(aliases.StateMachineAliases) != 1 || aws.ToString(aliases.StateMachineAliases[0].StateMachineAliasArn) != aliasArn {
		t.Errorf("ListStateMachineAliases = %+v", aliases.StateMachineAliases)
	}
	_, err = c.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: aws.String(smArn + "-missing")})
	wantCode(t, "ListStateMachineAliases missing machine", err, "StateMachineDoesNotExist")

	must[*sfn.DeleteStateMachineAliasOutput](t, "DeleteStateMachineAlias")(c.DeleteStateMachineAlias(ctx, &sfn.DeleteStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasArn)}))
	_, err = c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasArn)})
	wantCode(t, "DescribeStateMachineAlias after delete", err, "ResourceNotFound")
	must[*sfn.DeleteStateMachineVersionOutput](t, "DeleteStateMachineVersion")(c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(v1)}))
	vl = must[*sfn.ListStateMachineVersionsOutput](t, "ListStateMachineVersions after delete")(c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(smArn)}))
	if len(vl.StateMachineVersions) != 1 || aws.ToString(vl.StateMachineVersions[0].StateMachineVersionArn) != v2 {
		t.Errorf("versions after deleting 1 = %+v", vl.StateMachineVersions)
	}
	_, err = c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(smArn)})
	wantCode(t, "DeleteStateMachineVersion of an unqualified ARN", err, "InvalidArn")
}
