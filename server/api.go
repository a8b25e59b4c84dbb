package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Limits of the AWS API, in bytes or characters as AWS counts them.
const (
	maxPayload    = 262144  // execution input, task output
	maxDefinition = 1048576 // state machine definition
	maxAPIBody    = 2 << 20 // whole request: a maximal definition plus JSON escaping
	targetPrefix  = "AWSStepFunctions."
)

// opFunc decodes, validates and runs one API operation.
type opFunc func(ctx context.Context, s *Server, body []byte) (any, error)

// op builds an opFunc from a request type, its validation and its call.
func op[I any](validate func(v *validator, in *I), run func(ctx context.Context, s *Server, in *I) (any, error)) opFunc {
	return func(ctx context.Context, s *Server, body []byte) (any, error) {
		in := new(I)
		if err := decodeRequest(body, in); err != nil {
			return nil, err
		}
		v := &validator{}
		validate(v, in)
		if err := v.err(); err != nil {
			return nil, err
		}
		return run(ctx, s, in)
	}
}

// decodeRequest decodes a JSON 1.0 request body into in. Anything that is
// not one JSON object of the right field types is a SerializationException.
func decodeRequest(body []byte, in any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		return &Error{Code: ErrSerialization, Message: "Request body is not valid JSON"}
	}
	if body[0] != '{' {
		return &Error{Code: ErrSerialization, Message: "Request body must be a JSON object"}
	}
	if err := json.Unmarshal(body, in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "request"
			}
			return &Error{Code: ErrSerialization, Message: fmt.Sprintf("Unexpected value type for '%s': found JSON %s where %s was expected", field, te.Value, jsonKind(te.Type.String()))}
		}
		return &Error{Code: ErrSerialization, Message: "Request body could not be read: " + err.Error()}
	}
	return nil
}

func jsonKind(goType string) string {
	switch {
	case strings.Contains(goType, "string"):
		return "a string"
	case strings.Contains(goType, "int"):
		return "an integer"
	case strings.Contains(goType, "bool"):
		return "a boolean"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.Contains(goType, "Time"):
		return "a timestamp"
	default:
		return "an object"
	}
}

// unsupported is the answer for operations the engine does not implement yet.
func unsupported(opName string) error {
	return &Error{Code: ErrUnsupportedOperation, Message: "Stepwise does not support " + opName + " yet: the engine has no implementation of it"}
}

func empty() (any, error) { return struct{}{}, nil }

// operations is the table of AWS operations by name.
func operations() map[string]opFunc {
	smTypes := []string{"stateMachine"}
	execTypes := []string{"execution"}
	execOrExpress := []string{"execution", "express"}
	return map[string]opFunc{
		"CreateStateMachine": op(func(v *validator, in *CreateStateMachineInput) {
			v.reqStr("name", in.Name, 1, 80)
			v.reqStr("definition", in.Definition, 1, maxDefinition)
			v.reqStr("roleArn", in.RoleArn, 1, 256)
			v.enum("type", in.Type, "STANDARD", "EXPRESS")
			v.str("versionDescription", in.VersionDescription, 0, 256)
			v.tags("tags", in.Tags)
			v.logging(in.LoggingConfiguration)
			v.encryption(in.EncryptionConfiguration)
			v.name(in.Name)
			v.roleArn(in.RoleArn)
			if in.VersionDescription != nil && (in.Publish == nil || !*in.Publish) {
				v.fail(&Error{Code: ErrValidation, Message: "Version description can only be set when publish is true"})
			}
		}, func(ctx context.Context, s *Server, in *CreateStateMachineInput) (any, error) {
			return s.eng.CreateStateMachine(ctx, in)
		}),
		"UpdateStateMachine": op(func(v *validator, in *UpdateStateMachineInput) {
			v.reqStr("stateMachineArn", in.StateMachineArn, 1, 256)
			v.str("definition", in.Definition, 1, maxDefinition)
			v.str("roleArn", in.RoleArn, 1, 256)
			v.str("versionDescription", in.VersionDescription, 0, 256)
			v.logging(in.LoggingConfiguration)
			v.encryption(in.EncryptionConfiguration)
			v.arn(in.StateMachineArn, smTypes...)
			v.roleArn(in.RoleArn)
			if in.Definition == nil && in.RoleArn == nil && in.LoggingConfiguration == nil && in.TracingConfiguration == nil && in.EncryptionConfiguration == nil {
				v.fail(&Error{Code: "MissingRequiredParameter", Message: "Either the definition, roleArn, loggingConfiguration, tracingConfiguration or encryptionConfiguration must be specified"})
			}
			if in.VersionDescription != nil && (in.Publish == nil || !*in.Publish) {
				v.fail(&Error{Code: ErrValidation, Message: "Version description can only be set when publish is true"})
			}
		}, func(ctx context.Context, s *Server, in *UpdateStateMachineInput) (any, error) {
			return s.eng.UpdateStateMachine(ctx, in)
		}),
		"DeleteStateMachine": op(func(v *validator, in *struct {
			StateMachineArn *string `json:"stateMachineArn"`
		}) {
			v.reqStr("stateMachineArn", in.StateMachineArn, 1, 256)
			v.arn(in.StateMachineArn, smTypes...)
		}, func(ctx context.Context, s *Server, in *struct {
			StateMachineArn *string `json:"stateMachineArn"`
		}) (any, error) {
			if err := s.eng.DeleteStateMachine(ctx, *in.StateMachineArn); err != nil {
				return nil, err
			}
			return empty()
		}),
		"DescribeStateMachine": op(func(v *validator, in *struct {
			StateMachineArn *string `json:"stateMachineArn"`
			IncludedData    *string `json:"includedData"`
		}) {
			v.reqStr("stateMachineArn", in.StateMachineArn, 1, 256)
			v.enum("includedData", in.IncludedData, "ALL_DATA", "METADATA_ONLY")
			v.arn(in.StateMachineArn, smTypes...)
		}, func(ctx context.Context, s *Server, in *struct {
			StateMachineArn *string `json:"stateMachineArn"`
			IncludedData    *string `json:"includedData"`
		}) (any, error) {
			return s.eng.DescribeStateMachine(ctx, *in.StateMachineArn)
		}),
		"ListStateMachines": op(func(v *validator, in *ListStateMachinesInput) {
			v.page(in.MaxResults, in.NextToken, 1024)
		}, func(ctx context.Context, s *Server, in *ListStateMachinesInput) (any, error) {
			return s.eng.ListStateMachines(ctx, in)
		}),
		"ValidateStateMachineDefinition": op(func(v *validator, in *ValidateStateMachineDefinitionInput) {
			v.reqStr("definition", in.Definition, 1, maxDefinition)
			v.enum("type", in.Type, "STANDARD", "EXPRESS")
			v.enum("severity", in.Severity, "ERROR", "WARNING")
			v.intRange("maxResults", in.MaxResults, 0, 100)
		}, func(ctx context.Context, s *Server, in *ValidateStateMachineDefinitionInput) (any, error) {
			return s.eng.ValidateStateMachineDefinition(ctx, in)
		}),
		"StartExecution": op(validateStart, func(ctx context.Context, s *Server, in *StartExecutionInput) (any, error) {
			return s.eng.StartExecution(ctx, in)
		}),
		"StartSyncExecution": op(validateStart, func(ctx context.Context, s *Server, in *StartExecutionInput) (any, error) {
			return s.eng.StartSyncExecution(ctx, in)
		}),
		"StopExecution": op(func(v *validator, in *StopExecutionInput) {
			v.reqStr("executionArn", in.ExecutionArn, 1, 256)
			v.str("error", in.Error, 0, 256)
			v.str("cause", in.Cause, 0, 32768)
			v.arn(in.ExecutionArn, execTypes...)
		}, func(ctx context.Context, s *Server, in *StopExecutionInput) (any, error) {
			return s.eng.StopExecution(ctx, in)
		}),
		"DescribeExecution": op(func(v *validator, in *execArnInput) {
			v.reqStr("executionArn", in.ExecutionArn, 1, 256)
			v.enum("includedData", in.IncludedData, "ALL_DATA", "METADATA_ONLY")
			v.arn(in.ExecutionArn, execTypes...)
		}, func(ctx context.Context, s *Server, in *execArnInput) (any, error) {
			return s.eng.DescribeExecution(ctx, *in.ExecutionArn)
		}),
		"ListExecutions": op(func(v *validator, in *ListExecutionsInput) {
			v.str("stateMachineArn", in.StateMachineArn, 1, 256)
			v.str("mapRunArn", in.MapRunArn, 1, 2000)
			v.enum("statusFilter", in.StatusFilter, "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
			v.enum("redriveFilter", in.RedriveFilter, "REDRIVEN", "NOT_REDRIVEN")
			v.page(in.MaxResults, in.NextToken, 3096)
			if (in.StateMachineArn == nil) == (in.MapRunArn == nil) {
				v.fail(&Error{Code: ErrValidation, Message: "Exactly one of stateMachineArn and mapRunArn must be specified"})
			}
			v.arn(in.StateMachineArn, smTypes...)
			v.arn(in.MapRunArn, "mapRun")
		}, func(ctx context.Context, s *Server, in *ListExecutionsInput) (any, error) {
			return s.eng.ListExecutions(ctx, in)
		}),
		"GetExecutionHistory": op(func(v *validator, in *GetExecutionHistoryInput) {
			v.reqStr("executionArn", in.ExecutionArn, 1, 256)
			v.page(in.MaxResults, in.NextToken, 3096)
			v.arn(in.ExecutionArn, execTypes...)
		}, func(ctx context.Context, s *Server, in *GetExecutionHistoryInput) (any, error) {
			return s.eng.GetExecutionHistory(ctx, in)
		}),
		"DescribeStateMachineForExecution": op(func(v *validator, in *execArnInput) {
			v.reqStr("executionArn", in.ExecutionArn, 1, 256)
			v.enum("includedData", in.IncludedData, "ALL_DATA", "METADATA_ONLY")
			v.arn(in.ExecutionArn, execOrExpress...)
		}, func(ctx context.Context, s *Server, in *execArnInput) (any, error) {
			return s.eng.DescribeStateMachineForExecution(ctx, *in.ExecutionArn)
		}),
		"RedriveExecution": op(func(v *validator, in *RedriveExecutionInput) {
			v.reqStr("executionArn", in.ExecutionArn, 1, 256)
			v.str("clientToken", in.ClientToken, 1, 64)
			v.arn(in.ExecutionArn, execTypes...)
		}, func(ctx context.Context, s *Server, in *RedriveExecutionInput) (any, error) {
			e, ok := s.eng.(RedriveEngine)
			if !ok {
				return nil, unsupported("RedriveExecution")
			}
			return e.RedriveExecution(ctx, in)
		}),
		"CreateActivity": op(func(v *validator, in *CreateActivityInput) {
			v.reqStr("name", in.Name, 1, 80)
			v.tags("tags", in.Tags)
			v.encryption(in.EncryptionConfiguration)
			v.name(in.Name)
		}, func(ctx context.Context, s *Server, in *CreateActivityInput) (any, error) {
			e, ok := s.eng.(ActivityEngine)
			if !ok {
				return nil, unsupported("CreateActivity")
			}
			return e.CreateActivity(ctx, in)
		}),
		"DeleteActivity": op(validateActivityArn, func(ctx context.Context, s *Server, in *activityArnInput) (any, error) {
			e, ok := s.eng.(ActivityEngine)
			if !ok {
				return nil, unsupported("DeleteActivity")
			}
			if err := e.DeleteActivity(ctx, *in.ActivityArn); err != nil {
				return nil, err
			}
			return empty()
		}),
		"DescribeActivity": op(validateActivityArn, func(ctx context.Context, s *Server, in *activityArnInput) (any, error) {
			e, ok := s.eng.(ActivityEngine)
			if !ok {
				return nil, unsupported("DescribeActivity")
			}
			return e.DescribeActivity(ctx, *in.ActivityArn)
		}),
		"ListActivities": op(func(v *validator, in *ListActivitiesInput) {
			v.page(in.MaxResults, in.NextToken, 1024)
		}, func(ctx context.Context, s *Server, in *ListActivitiesInput) (any, error) {
			e, ok := s.eng.(ActivityEngine)
			if !ok {
				return nil, unsupported("ListActivities")
			}
			return e.ListActivities(ctx, in)
		}),
		"GetActivityTask": op(func(v *validator, in *GetActivityTaskInput) {
			v.reqStr("activityArn", in.ActivityArn, 1, 256)
			v.str("workerName", in.WorkerName, 1, 80)
			v.arn(in.ActivityArn, "activity")
		}, func(ctx context.Context, s *Server, in *GetActivityTaskInput) (any, error) {
			e, ok := s.eng.(ActivityEngine)
			if !ok {
				return nil, unsupported("GetActivityTask")
			}
			return e.GetActivityTask(ctx, in)
		}),
		"SendTaskSuccess": op(func(v *validator, in *SendTaskSuccessInput) {
			v.reqStr("taskToken", in.TaskToken, 1, 2048)
			v.required("output", in.Output != nil)
			v.payload("output", in.Output, maxPayload)
			v.jsonText(in.Output, ErrInvalidOutput, "Invalid Output")
		}, func(ctx context.Context, s *Server, in *SendTaskSuccessInput) (any, error) {
			e, ok := s.eng.(TaskTokenEngine)
			if !ok {
				return nil, unsupported("SendTaskSuccess")
			}
			if err := e.SendTaskSuccess(ctx, in); err != nil {
				return nil, err
			}
			return empty()
		}),
		"SendTaskFailure": op(func(v *validator, in *SendTaskFailureInput) {
			v.reqStr("taskToken", in.TaskToken, 1, 2048)
			v.str("error", in.Error, 0, 256)
			v.str("cause", in.Cause, 0, 32768)
		}, func(ctx context.Context, s *Server, in *SendTaskFailureInput) (any, error) {
			e, ok := s.eng.(TaskTokenEngine)
			if !ok {
				return nil, unsupported("SendTaskFailure")
			}
			if err := e.SendTaskFailure(ctx, in); err != nil {
				return nil, err
			}
			return empty()
		}),
		"SendTaskHeartbeat": op(func(v *validator, in *struct {
			TaskToken *string `json:"taskToken"`
		}) {
			v.reqStr("taskToken", in.TaskToken, 1, 2048)
		}, func(ctx context.Context, s *Server, in *struct {
			TaskToken *string `json:"taskToken"`
		}) (any, error) {
			e, ok := s.eng.(TaskTokenEngine)
			if !ok {
				return nil, unsupported("SendTaskHeartbeat")
			}
			if err := e.SendTaskHeartbeat(ctx, *in.TaskToken); err != nil {
				return nil, err
			}
			return empty()
		}),
		"TestState": op(func(v *validator, in *TestStateInput) {
			v.reqStr("definition", in.Definition, 1, maxDefinition)
			v.str("roleArn", in.RoleArn, 1, 256)
			v.payload("input", in.Input, maxPayload)
			v.payload("variables", in.Variables, maxPayload)
			v.enum("inspectionLevel", in.InspectionLevel, "INFO", "DEBUG", "TRACE")
			v.roleArn(in.RoleArn)
			v.jsonText(in.Input, ErrInvalidExecutionInput, "Invalid State Machine Execution Input")
		}, func(ctx context.Context, s *Server, in *TestStateInput) (any, error) {
			e, ok := s.eng.(TestStateEngine)
			if !ok {
				return nil, unsupported("TestState")
			}
			return e.TestState(ctx, in)
		}),
		"PublishStateMachineVersion": op(func(v *validator, in *PublishStateMachineVersionInput) {
			v.reqStr("stateMachineArn", in.StateMachineArn, 1, 256)
			v.str("revisionId", in.RevisionID, 0, 256)
			v.str("description", in.Description, 0, 256)
			v.arn(in.StateMachineArn, smTypes...)
		}, func(ctx context.Context, s *Server, in *PublishStateMachineVersionInput) (any, error) {
			e, ok := s.eng.(VersionEngine)
			if !ok {
				return nil, unsupported("PublishStateMachineVersion")
			}
			return e.PublishStateMachineVersion(ctx, in)
		}),
		"ListStateMachineVersions": op(func(v *validator, in *ListStateMachineVersionsInput) {
			v.reqStr("stateMachineArn", in.StateMachineArn, 1, 256)
			v.page(in.MaxResults, in.NextToken, 1024)
			v.arn(in.StateMachineArn, smTypes...)
		}, func(ctx context.Context, s *Server, in *ListStateMachineVersionsInput) (any, error) {
			e, ok := s.eng.(VersionEngine)
			if !ok {
				return nil, unsupported("ListStateMachineVersions")
			}
			return e.ListStateMachineVersions(ctx, in)
		}),
		"DeleteStateMachineVersion": op(func(v *validator, in *struct {
			StateMachineVersionArn *string `json:"stateMachineVersionArn"`
		}) {
			v.reqStr("stateMachineVersionArn", in.StateMachineVersionArn, 1, 256)
			v.qualifiedArn(in.StateMachineVersionArn, "version")
		}, func(ctx context.Context, s *Server, in *struct {
			StateMachineVersionArn *string `json:"stateMachineVersionArn"`
		}) (any, error) {
			e, ok := s.eng.(VersionEngine)
			if !ok {
				return nil, unsupported("DeleteStateMachineVersion")
			}
			if err := e.DeleteStateMachineVersion(ctx, *in.StateMachineVersionArn); err != nil {
				return nil, err
			}
			return empty()
		}),
		"CreateStateMachineAlias": op(func(v *validator, in *CreateStateMachineAliasInput) {
			v.reqStr("name", in.Name, 1, 80)
			v.str("description", in.Description, 0, 256)
			v.routing(in.RoutingConfiguration, true)
			if in.Name != nil && !validAliasName(*in.Name) {
				v.fail(&Error{Code: ErrInvalidName, Message: "Invalid Name: " + quoteValue(*in.Name)})
			}
		}, func(ctx context.Context, s *Server, in *CreateStateMachineAliasInput) (any, error) {
			e, ok := s.eng.(AliasEngine)
			if !ok {
				return nil, unsupported("CreateStateMachineAlias")
			}
			return e.CreateStateMachineAlias(ctx, in)
		}),
		"DescribeStateMachineAlias": op(validateAliasArn, func(ctx context.Context, s *Server, in *aliasArnInput) (any, error) {
			e, ok := s.eng.(AliasEngine)
			if !ok {
				return nil, unsupported("DescribeStateMachineAlias")
			}
			return e.DescribeStateMachineAlias(ctx, *in.StateMachineAliasArn)
		}),
		"UpdateStateMachineAlias": op(func(v *validator, in *UpdateStateMachineAliasInput) {
			v.reqStr("stateMachineAliasArn", in.StateMachineAliasArn, 1, 256)
			v.str("description", in.Description, 0, 256)
			v.routing(in.RoutingConfiguration, false)
			v.qualifiedArn(in.StateMachineAliasArn, "alias")
		}, func(ctx context.Context, s *Server, in *UpdateStateMachineAliasInput) (any, error) {
			e, ok := s.eng.(AliasEngine)
			if !ok {
				return nil, unsupported("UpdateStateMachineAlias")
			}
			return e.UpdateStateMachineAlias(ctx, in)
		}),
		"DeleteStateMachineAlias": op(validateAliasArn, func(ctx context.Context, s *Server, in *aliasArnInput) (any, error) {
			e, ok := s.eng.(AliasEngine)
			if !ok {
				return nil, unsupported("DeleteStateMachineAlias")
			}
			if err := e.DeleteStateMachineAlias(ctx, *in.StateMachineAliasArn); err != nil {
				return nil, err
			}
			return empty()
		}),
		"ListStateMachineAliases": op(func(v *validator, in *ListStateMachineAliasesInput) {
			v.reqStr("stateMachineArn", in.StateMachineArn, 1, 256)
			v.page(in.MaxResults, in.NextToken, 1024)
			v.arn(in.StateMachineArn, smTypes...)
		}, func(ctx context.Context, s *Server, in *ListStateMachineAliasesInput) (any, error) {
			e, ok := s.eng.(AliasEngine)
			if !ok {
				return nil, unsupported("ListStateMachineAliases")
			}
			return e.ListStateMachineAliases(ctx, in)
		}),
		"TagResource": op(func(v *validator, in *tagInput) {
			v.reqStr("resourceArn", in.ResourceArn, 1, 256)
			v.required("tags", in.Tags != nil)
			v.tags("tags", in.Tags)
			v.arn(in.ResourceArn, "stateMachine", "activity")
		}, func(ctx context.Context, s *Server, in *tagInput) (any, error) {
			e, ok := s.eng.(TagEngine)
			if !ok {
				return nil, unsupported("TagResource")
			}
			if err := e.TagResource(ctx, *in.ResourceArn, in.Tags); err != nil {
				return nil, err
			}
			return empty()
		}),
		"UntagResource": op(func(v *validator, in *untagInput) {
			v.reqStr("resourceArn", in.ResourceArn, 1, 256)
			v.required("tagKeys", in.TagKeys != nil)
			for i, k := range in.TagKeys {
				v.str(fmt.Sprintf("tagKeys.%d.member", i+1), &k, 1, 128)
			}
			v.arn(in.ResourceArn, "stateMachine", "activity")
		}, func(ctx context.Context, s *Server, in *untagInput) (any, error) {
			e, ok := s.eng.(TagEngine)
			if !ok {
				return nil, unsupported("UntagResource")
			}
			if err := e.UntagResource(ctx, *in.ResourceArn, in.TagKeys); err != nil {
				return nil, err
			}
			return empty()
		}),
		"ListTagsForResource": op(func(v *validator, in *tagInput) {
			v.reqStr("resourceArn", in.ResourceArn, 1, 256)
			v.arn(in.ResourceArn, "stateMachine", "activity")
		}, func(ctx context.Context, s *Server, in *tagInput) (any, error) {
			e, ok := s.eng.(TagEngine)
			if !ok {
				return nil, unsupported("ListTagsForResource")
			}
			tags, err := e.ListTagsForResource(ctx, *in.ResourceArn)
			if err != nil {
				return nil, err
			}
			if tags == nil {
				tags = []Tag{}
			}
			return struct {
				Tags []Tag `json:"tags"`
			}{tags}, nil
		}),
	}
}

type execArnInput struct {
	ExecutionArn *string `json:"executionArn"`
	IncludedData *string `json:"includedData"`
}

type activityArnInput struct {
	ActivityArn *string `json:"activityArn"`
}

type aliasArnInput struct {
	StateMachineAliasArn *string `json:"stateMachineAliasArn"`
}

type tagInput struct {
	ResourceArn *string `json:"resourceArn"`
	Tags        []Tag   `json:"tags"`
}

type untagInput struct {
	ResourceArn *string  `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

func validateStart(v *validator, in *StartExecutionInput) {
	v.reqStr("stateMachineArn", in.StateMachineArn, 1, 256)
	v.str("name", in.Name, 1, 80)
	v.payload("input", in.Input, maxPayload)
	v.str("traceHeader", in.TraceHeader, 0, 256)
	v.enum("includedData", in.IncludedData, "ALL_DATA", "METADATA_ONLY")
	v.arn(in.StateMachineArn, "stateMachine")
	v.name(in.Name)
	v.jsonText(in.Input, ErrInvalidExecutionInput, "Invalid State Machine Execution Input")
}

func validateActivityArn(v *validator, in *activityArnInput) {
	v.reqStr("activityArn", in.ActivityArn, 1, 256)
	v.arn(in.ActivityArn, "activity")
}

func validateAliasArn(v *validator, in *aliasArnInput) {
	v.reqStr("stateMachineAliasArn", in.StateMachineAliasArn, 1, 256)
	v.qualifiedArn(in.StateMachineAliasArn, "alias")
}

// qualifiedArn checks a state machine version ARN (qualifier all digits)
// or alias ARN (qualifier a name).
func (v *validator) qualifiedArn(s *string, kind string) {
	if s == nil {
		return
	}
	a, err := parseARN(*s, "stateMachine")
	if err != nil {
		v.fail(err)
		return
	}
	if len(a.Parts) != 2 {
		v.fail(&Error{Code: ErrInvalidArn, Message: "Invalid Arn: 'Missing " + kind + " qualifier: " + truncate(*s, 256) + "'"})
		return
	}
	digits := strings.Trim(a.Parts[1], "0123456789") == ""
	if (kind == "version") != digits {
		v.fail(&Error{Code: ErrInvalidArn, Message: "Invalid Arn: 'Not a state machine " + kind + " ARN: " + truncate(*s, 256) + "'"})
	}
}

func (v *validator) routing(items []RoutingConfigurationListItem, required bool) {
	if required {
		v.required("routingConfiguration", items != nil)
	}
	if items == nil {
		return
	}
	if len(items) < 1 || len(items) > 2 {
		v.constraint(fmt.Sprint(len(items)), "routingConfiguration", "Member must have length between 1 and 2")
	}
	for i, it := range items {
		f := fmt.Sprintf("routingConfiguration.%d.member", i+1)
		v.reqStr(f+".stateMachineVersionArn", it.StateMachineVersionArn, 1, 256)
		v.required(f+".weight", it.Weight != nil)
		v.intRange(f+".weight", it.Weight, 0, 100)
		v.qualifiedArn(it.StateMachineVersionArn, "version")
	}
}

// handleAPI serves POST /: it checks the protocol headers, dispatches on
// X-Amz-Target and writes the result or AWS's error shape.
func (s *Server) handleAPI(c echo.Context) error {
	req := c.Request()
	target := req.Header.Get("X-Amz-Target")
	opName, ok := strings.CutPrefix(target, targetPrefix)
	var (
		out any
		err error
	)
	switch {
	case !ok:
		err = &Error{Code: ErrUnknownOperation, Message: "Missing or unknown X-Amz-Target header: " + quoteValue(target) + "; expected AWSStepFunctions.<Operation>"}
	case !jsonContentType(req.Header.Get("Content-Type")):
		err = &Error{Code: ErrSerialization, Message: "Content-Type must be application/x-amz-json-1.0, not " + quoteValue(req.Header.Get("Content-Type"))}
	default:
		fn, known := s.ops[opName]
		if !known {
			err = &Error{Code: ErrUnknownOperation, Message: "Unknown operation " + quoteValue(opName)}
			break
		}
		body, rerr := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, maxAPIBody))
		if rerr != nil {
			var mb *http.MaxBytesError
			if errors.As(rerr, &mb) {
				err = &Error{Code: ErrValidation, Message: fmt.Sprintf("Request body is larger than %d bytes", maxAPIBody)}
			} else {
				err = &Error{Code: ErrSerialization, Message: "Request body could not be read: " + rerr.Error()}
			}
			break
		}
		out, err = fn(req.Context(), s, body)
	}
	_, known := s.ops[opName]
	s.metrics.apiRequest(opName, err, known)
	if err != nil {
		return s.writeAPIError(c, opName, err)
	}
	return writeAWSJSON(c, http.StatusOK, out)
}

func jsonContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/x-amz-json-1.0" || mt == "application/x-amz-json-1.1" || mt == "application/json"
}

func (s *Server) writeAPIError(c echo.Context, opName string, err error) error {
	e, internal := toAPIError(err)
	if internal {
		s.log.ErrorContext(c.Request().Context(), "api: internal error", "operation", opName, "error", err)
	}
	return writeAWSJSON(c, statusOf(e.Code), struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message})
}

func writeAWSJSON(c echo.Context, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"__type":"InternalFailure","message":"response could not be encoded"}`)
		status = http.StatusInternalServerError
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	return c.Blob(status, "application/x-amz-json-1.0", b)
}
