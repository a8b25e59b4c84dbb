package server

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Engine is what the server needs from the workflow engine: the core state
// machine and execution services. Requests and responses mirror the AWS Step
// Functions API shapes; the API layer has validated every request before a
// method is called. Errors should be *Error values (or implement AWSError)
// so they map to AWS error names; any other error is an internal error.
type Engine interface {
	CreateStateMachine(ctx context.Context, in *CreateStateMachineInput) (*CreateStateMachineOutput, error)
	UpdateStateMachine(ctx context.Context, in *UpdateStateMachineInput) (*UpdateStateMachineOutput, error)
	DeleteStateMachine(ctx context.Context, stateMachineARN string) error
	DescribeStateMachine(ctx context.Context, stateMachineARN string) (*StateMachine, error)
	ListStateMachines(ctx context.Context, in *ListStateMachinesInput) (*ListStateMachinesOutput, error)
	ValidateStateMachineDefinition(ctx context.Context, in *ValidateStateMachineDefinitionInput) (*ValidateStateMachineDefinitionOutput, error)
	StartExecution(ctx context.Context, in *StartExecutionInput) (*StartExecutionOutput, error)
	StartSyncExecution(ctx context.Context, in *StartExecutionInput) (*SyncExecution, error)
	StopExecution(ctx context.Context, in *StopExecutionInput) (*StopExecutionOutput, error)
	DescribeExecution(ctx context.Context, executionARN string) (*Execution, error)
	ListExecutions(ctx context.Context, in *ListExecutionsInput) (*ListExecutionsOutput, error)
	GetExecutionHistory(ctx context.Context, in *GetExecutionHistoryInput) (*GetExecutionHistoryOutput, error)
	DescribeStateMachineForExecution(ctx context.Context, executionARN string) (*StateMachine, error)
}

// RedriveEngine is implemented by engines that can redrive failed executions.
type RedriveEngine interface {
	RedriveExecution(ctx context.Context, in *RedriveExecutionInput) (*RedriveExecutionOutput, error)
}

// ActivityEngine is implemented by engines that support activities.
type ActivityEngine interface {
	CreateActivity(ctx context.Context, in *CreateActivityInput) (*CreateActivityOutput, error)
	DeleteActivity(ctx context.Context, activityARN string) error
	DescribeActivity(ctx context.Context, activityARN string) (*Activity, error)
	ListActivities(ctx context.Context, in *ListActivitiesInput) (*ListActivitiesOutput, error)
	GetActivityTask(ctx context.Context, in *GetActivityTaskInput) (*GetActivityTaskOutput, error)
}

// TaskTokenEngine is implemented by engines that complete tasks by token
// (activities and .waitForTaskToken callbacks).
type TaskTokenEngine interface {
	SendTaskSuccess(ctx context.Context, in *SendTaskSuccessInput) error
	SendTaskFailure(ctx context.Context, in *SendTaskFailureInput) error
	SendTaskHeartbeat(ctx context.Context, taskToken string) error
}

// ActivityMonitor is implemented by engines that can tell the UI about
// pending activity tasks and the workers that polled recently.
type ActivityMonitor interface {
	ActivityStatus(ctx context.Context, activityARN string) (*ActivityStatus, error)
}

// TestStateEngine is implemented by engines that support TestState.
type TestStateEngine interface {
	TestState(ctx context.Context, in *TestStateInput) (*TestStateOutput, error)
}

// VersionEngine is implemented by engines that support state machine versions.
type VersionEngine interface {
	PublishStateMachineVersion(ctx context.Context, in *PublishStateMachineVersionInput) (*PublishStateMachineVersionOutput, error)
	ListStateMachineVersions(ctx context.Context, in *ListStateMachineVersionsInput) (*ListStateMachineVersionsOutput, error)
	DeleteStateMachineVersion(ctx context.Context, versionARN string) error
}

// AliasEngine is implemented by engines that support state machine aliases.
type AliasEngine interface {
	CreateStateMachineAlias(ctx context.Context, in *CreateStateMachineAliasInput) (*CreateStateMachineAliasOutput, error)
	DescribeStateMachineAlias(ctx context.Context, aliasARN string) (*StateMachineAlias, error)
	UpdateStateMachineAlias(ctx context.Context, in *UpdateStateMachineAliasInput) (*UpdateStateMachineAliasOutput, error)
	DeleteStateMachineAlias(ctx context.Context, aliasARN string) error
	ListStateMachineAliases(ctx context.Context, in *ListStateMachineAliasesInput) (*ListStateMachineAliasesOutput, error)
}

// TagEngine is implemented by engines that store resource tags.
type TagEngine interface {
	TagResource(ctx context.Context, resourceARN string, tags []Tag) error
	UntagResource(ctx context.Context, resourceARN string, tagKeys []string) error
	ListTagsForResource(ctx context.Context, resourceARN string) ([]Tag, error)
}

// Timestamp is a time that marshals as AWS JSON 1.0 does: epoch seconds
// with a fractional part. The zero Timestamp marshals as null.
type Timestamp struct{ time.Time }

// TimestampOf wraps t.
func TimestampOf(t time.Time) *Timestamp {
	if t.IsZero() {
		return nil
	}
	return &Timestamp{t}
}

// MarshalJSON writes epoch seconds with millisecond precision.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	ms := t.UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads epoch seconds (a number), as the AWS SDKs send them,
// to the millisecond.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	// Beyond ±1e11 s (year 5138) millisecond arithmetic would overflow.
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e11 {
		return &json.UnmarshalTypeError{Value: string(b), Type: timestampType}
	}
	// AWS timestamps carry milliseconds; rounding keeps 2.01 at 2010 ms.
	t.Time = time.UnixMilli(int64(math.Round(f * 1000))).UTC()
	return nil
}

// Tag is a resource tag.
type Tag struct {
	Key   *string `json:"key,omitempty"`
	Value *string `json:"value,omitempty"`
}

// LoggingConfiguration mirrors AWS's loggingConfiguration; it is stored, not acted on.
type LoggingConfiguration struct {
	Level                *string           `json:"level,omitempty"`
	IncludeExecutionData *bool             `json:"includeExecutionData,omitempty"`
	Destinations         []json.RawMessage `json:"destinations,omitempty"`
}

// TracingConfiguration mirrors AWS's tracingConfiguration.
type TracingConfiguration struct {
	Enabled *bool `json:"enabled,omitempty"`
}

// EncryptionConfiguration mirrors AWS's encryptionConfiguration.
type EncryptionConfiguration struct {
	KmsKeyID                     *string `json:"kmsKeyId,omitempty"`
	KmsDataKeyReusePeriodSeconds *int64  `json:"kmsDataKeyReusePeriodSeconds,omitempty"`
	Type                         *string `json:"type,omitempty"`
}

// CreateStateMachineInput is the CreateStateMachine request.
type CreateStateMachineInput struct {
	Name                    *string                  `json:"name"`
	Definition              *string                  `json:"definition"`
	RoleArn                 *string                  `json:"roleArn"`
	Type                    *string                  `json:"type,omitempty"`
	LoggingConfiguration    *LoggingConfiguration    `json:"loggingConfiguration,omitempty"`
	TracingConfiguration    *TracingConfiguration    `json:"tracingConfiguration,omitempty"`
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
	Tags                    []Tag                    `json:"tags,omitempty"`
	Publish                 *bool                    `json:"publish,omitempty"`
	VersionDescription      *string                  `json:"versionDescription,omitempty"`
}

// CreateStateMachineOutput is the CreateStateMachine response.
type CreateStateMachineOutput struct {
	StateMachineArn        string     `json:"stateMachineArn"`
	CreationDate           *Timestamp `json:"creationDate"`
	StateMachineVersionArn string     `json:"stateMachineVersionArn,omitempty"`
}

// UpdateStateMachineInput is the UpdateStateMachine request.
type UpdateStateMachineInput struct {
	StateMachineArn         *string                  `json:"stateMachineArn"`
	Definition              *string                  `json:"definition,omitempty"`
	RoleArn                 *string                  `json:"roleArn,omitempty"`
	LoggingConfiguration    *LoggingConfiguration    `json:"loggingConfiguration,omitempty"`
	TracingConfiguration    *TracingConfiguration    `json:"tracingConfiguration,omitempty"`
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
	Publish                 *bool                    `json:"publish,omitempty"`
	VersionDescription      *string                  `json:"versionDescription,omitempty"`
}

// UpdateStateMachineOutput is the UpdateStateMachine response.
type UpdateStateMachineOutput struct {
	UpdateDate             *Timestamp `json:"updateDate"`
	RevisionID             string     `json:"revisionId,omitempty"`
	StateMachineVersionArn string     `json:"stateMachineVersionArn,omitempty"`
}

// StateMachine is the DescribeStateMachine response (and the UI's view of a machine).
type StateMachine struct {
	StateMachineArn         string                   `json:"stateMachineArn"`
	Name                    string                   `json:"name"`
	Status                  string                   `json:"status,omitempty"`
	Definition              string                   `json:"definition"`
	RoleArn                 string                   `json:"roleArn"`
	Type                    string                   `json:"type"`
	CreationDate            *Timestamp               `json:"creationDate"`
	LoggingConfiguration    *LoggingConfiguration    `json:"loggingConfiguration,omitempty"`
	TracingConfiguration    *TracingConfiguration    `json:"tracingConfiguration,omitempty"`
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
	Label                   string                   `json:"label,omitempty"`
	RevisionID              string                   `json:"revisionId,omitempty"`
	Description             string                   `json:"description,omitempty"`
	UpdateDate              *Timestamp               `json:"updateDate,omitempty"`
}

// StateMachineListItem is one entry of ListStateMachines.
type StateMachineListItem struct {
	StateMachineArn string     `json:"stateMachineArn"`
	Name            string     `json:"name"`
	Type            string     `json:"type"`
	CreationDate    *Timestamp `json:"creationDate"`
}

// ListStateMachinesInput is the ListStateMachines request.
type ListStateMachinesInput struct {
	MaxResults *int32  `json:"maxResults,omitempty"`
	NextToken  *string `json:"nextToken,omitempty"`
}

// ListStateMachinesOutput is the ListStateMachines response.
type ListStateMachinesOutput struct {
	StateMachines []StateMachineListItem `json:"stateMachines"`
	NextToken     string                 `json:"nextToken,omitempty"`
}

// ValidateStateMachineDefinitionInput is the ValidateStateMachineDefinition request.
type ValidateStateMachineDefinitionInput struct {
	Definition *string `json:"definition"`
	Type       *string `json:"type,omitempty"`
	Severity   *string `json:"severity,omitempty"`
	MaxResults *int32  `json:"maxResults,omitempty"`
}

// Diagnostic is one finding of ValidateStateMachineDefinition.
type Diagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Location string `json:"location,omitempty"`
}

// ValidateStateMachineDefinitionOutput is the ValidateStateMachineDefinition response.
type ValidateStateMachineDefinitionOutput struct {
	Result      string       `json:"result"`
	Diagnostics []Diagnostic `json:"diagnostics"`
	Truncated   bool         `json:"truncated"`
}

// StartExecutionInput is the StartExecution and StartSyncExecution request.
type StartExecutionInput struct {
	StateMachineArn *string `json:"stateMachineArn"`
	Name            *string `json:"name,omitempty"`
	Input           *string `json:"input,omitempty"`
	TraceHeader     *string `json:"traceHeader,omitempty"`
	IncludedData    *string `json:"includedData,omitempty"`
}

// StartExecutionOutput is the StartExecution response.
type StartExecutionOutput struct {
	ExecutionArn string     `json:"executionArn"`
	StartDate    *Timestamp `json:"startDate"`
}

// SyncExecution is the StartSyncExecution response.
type SyncExecution struct {
	ExecutionArn    string         `json:"executionArn"`
	StateMachineArn string         `json:"stateMachineArn,omitempty"`
	Name            string         `json:"name,omitempty"`
	StartDate       *Timestamp     `json:"startDate"`
	StopDate        *Timestamp     `json:"stopDate"`
	Status          string         `json:"status"`
	Error           *string        `json:"error,omitempty"`
	Cause           *string        `json:"cause,omitempty"`
	Input           *string        `json:"input,omitempty"`
	InputDetails    *DataDetails   `json:"inputDetails,omitempty"`
	Output          *string        `json:"output,omitempty"`
	OutputDetails   *DataDetails   `json:"outputDetails,omitempty"`
	TraceHeader     string         `json:"traceHeader,omitempty"`
	BillingDetails  *BillingDetail `json:"billingDetails,omitempty"`
}

// BillingDetail mirrors AWS's billingDetails of an EXPRESS run.
type BillingDetail struct {
	BilledMemoryUsedInMB         int64 `json:"billedMemoryUsedInMB"`
	BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
}

// DataDetails says whether a payload was included.
type DataDetails struct {
	Included bool `json:"included"`
}

// StopExecutionInput is the StopExecution request.
type StopExecutionInput struct {
	ExecutionArn *string `json:"executionArn"`
	Error        *string `json:"error,omitempty"`
	Cause        *string `json:"cause,omitempty"`
}

// StopExecutionOutput is the StopExecution response.
type StopExecutionOutput struct {
	StopDate *Timestamp `json:"stopDate"`
}

// Execution is the DescribeExecution response.
type Execution struct {
	ExecutionArn           string       `json:"executionArn"`
	StateMachineArn        string       `json:"stateMachineArn"`
	Name                   string       `json:"name"`
	Status                 string       `json:"status"`
	StartDate              *Timestamp   `json:"startDate"`
	StopDate               *Timestamp   `json:"stopDate,omitempty"`
	Input                  *string      `json:"input,omitempty"`
	InputDetails           *DataDetails `json:"inputDetails,omitempty"`
	Output                 *string      `json:"output,omitempty"`
	OutputDetails          *DataDetails `json:"outputDetails,omitempty"`
	Error                  *string      `json:"error,omitempty"`
	Cause                  *string      `json:"cause,omitempty"`
	TraceHeader            string       `json:"traceHeader,omitempty"`
	MapRunArn              string       `json:"mapRunArn,omitempty"`
	StateMachineVersionArn string       `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasArn   string       `json:"stateMachineAliasArn,omitempty"`
	RedriveCount           *int32       `json:"redriveCount,omitempty"`
	RedriveDate            *Timestamp   `json:"redriveDate,omitempty"`
	RedriveStatus          string       `json:"redriveStatus,omitempty"`
	RedriveStatusReason    string       `json:"redriveStatusReason,omitempty"`
}

// ExecutionListItem is one entry of ListExecutions.
type ExecutionListItem struct {
	ExecutionArn    string     `json:"executionArn"`
	StateMachineArn string     `json:"stateMachineArn"`
	Name            string     `json:"name"`
	Status          string     `json:"status"`
	StartDate       *Timestamp `json:"startDate"`
	StopDate        *Timestamp `json:"stopDate,omitempty"`
	MapRunArn       string     `json:"mapRunArn,omitempty"`
	ItemCount       *int32     `json:"itemCount,omitempty"`
	RedriveCount    *int32     `json:"redriveCount,omitempty"`
	RedriveDate     *Timestamp `json:"redriveDate,omitempty"`
}

// ListExecutionsInput is the ListExecutions request.
type ListExecutionsInput struct {
	StateMachineArn *string `json:"stateMachineArn,omitempty"`
	MapRunArn       *string `json:"mapRunArn,omitempty"`
	StatusFilter    *string `json:"statusFilter,omitempty"`
	RedriveFilter   *string `json:"redriveFilter,omitempty"`
	MaxResults      *int32  `json:"maxResults,omitempty"`
	NextToken       *string `json:"nextToken,omitempty"`
}

// ListExecutionsOutput is the ListExecutions response.
type ListExecutionsOutput struct {
	Executions []ExecutionListItem `json:"executions"`
	NextToken  string              `json:"nextToken,omitempty"`
}

// GetExecutionHistoryInput is the GetExecutionHistory request.
type GetExecutionHistoryInput struct {
	ExecutionArn         *string `json:"executionArn"`
	MaxResults           *int32  `json:"maxResults,omitempty"`
	NextToken            *string `json:"nextToken,omitempty"`
	ReverseOrder         *bool   `json:"reverseOrder,omitempty"`
	IncludeExecutionData *bool   `json:"includeExecutionData,omitempty"`
}

// HistoryEvent is one event of an execution's history. Details holds the
// AWS detail object, which is written under the key DetailsKey (for
// example "stateEnteredEventDetails").
type HistoryEvent struct {
	Timestamp       *Timestamp
	Type            string
	ID              int64
	PreviousEventID int64
	DetailsKey      string
	Details         json.RawMessage
}

// MarshalJSON writes the event in AWS's shape.
func (e HistoryEvent) MarshalJSON() ([]byte, error) {
	b := []byte(`{"timestamp":`)
	ts, err := json.Marshal(e.Timestamp)
	if err != nil {
		return nil, err
	}
	b = append(b, ts...)
	typ, err := json.Marshal(e.Type)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"type":`...)
	b = append(b, typ...)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, e.ID, 10)
	b = append(b, `,"previousEventId":`...)
	b = strconv.AppendInt(b, e.PreviousEventID, 10)
	if e.DetailsKey != "" && len(e.Details) > 0 {
		key, err := json.Marshal(e.DetailsKey)
		if err != nil {
			return nil, err
		}
		if !json.Valid(e.Details) {
			return nil, &json.UnsupportedValueError{Str: "history event details of event " + strconv.FormatInt(e.ID, 10) + " are not valid JSON"}
		}
		b = append(b, ',')
		b = append(b, key...)
		b = append(b, ':')
		b = append(b, e.Details...)
	}
	return append(b, '}'), nil
}

// GetExecutionHistoryOutput is the GetExecutionHistory response.
type GetExecutionHistoryOutput struct {
	Events    []HistoryEvent `json:"events"`
	NextToken string         `json:"nextToken,omitempty"`
}

// RedriveExecutionInput is the RedriveExecution request.
type RedriveExecutionInput struct {
	ExecutionArn *string `json:"executionArn"`
	ClientToken  *string `json:"clientToken,omitempty"`
}

// RedriveExecutionOutput is the RedriveExecution response.
type RedriveExecutionOutput struct {
	RedriveDate *Timestamp `json:"redriveDate"`
}

// CreateActivityInput is the CreateActivity request.
type CreateActivityInput struct {
	Name                    *string                  `json:"name"`
	Tags                    []Tag                    `json:"tags,omitempty"`
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
}

// CreateActivityOutput is the CreateActivity response.
type CreateActivityOutput struct {
	ActivityArn  string     `json:"activityArn"`
	CreationDate *Timestamp `json:"creationDate"`
}

// Activity is the DescribeActivity response and a ListActivities entry.
type Activity struct {
	ActivityArn  string     `json:"activityArn"`
	Name         string     `json:"name"`
	CreationDate *Timestamp `json:"creationDate"`
}

// ActivityStatus is what the UI shows about an activity's queue.
type ActivityStatus struct {
	PendingTasks int
	Workers      []ActivityWorker
}

// ActivityWorker is a worker that polled an activity.
type ActivityWorker struct {
	Name     string
	LastSeen time.Time
}

// ListActivitiesInput is the ListActivities request.
type ListActivitiesInput struct {
	MaxResults *int32  `json:"maxResults,omitempty"`
	NextToken  *string `json:"nextToken,omitempty"`
}

// ListActivitiesOutput is the ListActivities response.
type ListActivitiesOutput struct {
	Activities []Activity `json:"activities"`
	NextToken  string     `json:"nextToken,omitempty"`
}

// GetActivityTaskInput is the GetActivityTask request.
type GetActivityTaskInput struct {
	ActivityArn *string `json:"activityArn"`
	WorkerName  *string `json:"workerName,omitempty"`
}

// GetActivityTaskOutput is the GetActivityTask response; both fields are
// empty when no task arrived in time.
type GetActivityTaskOutput struct {
	TaskToken *string `json:"taskToken,omitempty"`
	Input     *string `json:"input,omitempty"`
}

// SendTaskSuccessInput is the SendTaskSuccess request.
type SendTaskSuccessInput struct {
	TaskToken *string `json:"taskToken"`
	Output    *string `json:"output"`
}

// SendTaskFailureInput is the SendTaskFailure request.
type SendTaskFailureInput struct {
	TaskToken *string `json:"taskToken"`
	Error     *string `json:"error,omitempty"`
	Cause     *string `json:"cause,omitempty"`
}

// TestStateInput is the TestState request.
type TestStateInput struct {
	Definition      *string `json:"definition"`
	RoleArn         *string `json:"roleArn,omitempty"`
	Input           *string `json:"input,omitempty"`
	InspectionLevel *string `json:"inspectionLevel,omitempty"`
	RevealSecrets   *bool   `json:"revealSecrets,omitempty"`
	Variables       *string `json:"variables,omitempty"`
}

// TestStateOutput is the TestState response.
type TestStateOutput struct {
	Output         *string         `json:"output,omitempty"`
	Error          *string         `json:"error,omitempty"`
	Cause          *string         `json:"cause,omitempty"`
	InspectionData json.RawMessage `json:"inspectionData,omitempty"`
	NextState      *string         `json:"nextState,omitempty"`
	Status         string          `json:"status"`
}

// PublishStateMachineVersionInput is the PublishStateMachineVersion request.
type PublishStateMachineVersionInput struct {
	StateMachineArn *string `json:"stateMachineArn"`
	RevisionID      *string `json:"revisionId,omitempty"`
	Description     *string `json:"description,omitempty"`
}

// PublishStateMachineVersionOutput is the PublishStateMachineVersion response.
type PublishStateMachineVersionOutput struct {
	CreationDate           *Timestamp `json:"creationDate"`
	StateMachineVersionArn string     `json:"stateMachineVersionArn"`
}

// ListStateMachineVersionsInput is the ListStateMachineVersions request.
type ListStateMachineVersionsInput struct {
	StateMachineArn *string `json:"stateMachineArn"`
	MaxResults      *int32  `json:"maxResults,omitempty"`
	NextToken       *string `json:"nextToken,omitempty"`
}

// StateMachineVersionListItem is one entry of ListStateMachineVersions.
type StateMachineVersionListItem struct {
	StateMachineVersionArn string     `json:"stateMachineVersionArn"`
	CreationDate           *Timestamp `json:"creationDate"`
}

// ListStateMachineVersionsOutput is the ListStateMachineVersions response.
type ListStateMachineVersionsOutput struct {
	StateMachineVersions []StateMachineVersionListItem `json:"stateMachineVersions"`
	NextToken            string                        `json:"nextToken,omitempty"`
}

// RoutingConfigurationListItem routes a share of an alias's executions to a version.
type RoutingConfigurationListItem struct {
	StateMachineVersionArn *string `json:"stateMachineVersionArn"`
	Weight                 *int32  `json:"weight"`
}

// CreateStateMachineAliasInput is the CreateStateMachineAlias request.
type CreateStateMachineAliasInput struct {
	Name                 *string                        `json:"name"`
	Description          *string                        `json:"description,omitempty"`
	RoutingConfiguration []RoutingConfigurationListItem `json:"routingConfiguration"`
}

// CreateStateMachineAliasOutput is the CreateStateMachineAlias response.
type CreateStateMachineAliasOutput struct {
	StateMachineAliasArn string     `json:"stateMachineAliasArn"`
	CreationDate         *Timestamp `json:"creationDate"`
}

// StateMachineAlias is the DescribeStateMachineAlias response.
type StateMachineAlias struct {
	StateMachineAliasArn string                         `json:"stateMachineAliasArn"`
	Name                 string                         `json:"name"`
	Description          string                         `json:"description,omitempty"`
	RoutingConfiguration []RoutingConfigurationListItem `json:"routingConfiguration"`
	CreationDate         *Timestamp                     `json:"creationDate"`
	UpdateDate           *Timestamp                     `json:"updateDate,omitempty"`
}

// UpdateStateMachineAliasInput is the UpdateStateMachineAlias request.
type UpdateStateMachineAliasInput struct {
	StateMachineAliasArn *string                        `json:"stateMachineAliasArn"`
	Description          *string                        `json:"description,omitempty"`
	RoutingConfiguration []RoutingConfigurationListItem `json:"routingConfiguration,omitempty"`
}

// UpdateStateMachineAliasOutput is the UpdateStateMachineAlias response.
type UpdateStateMachineAliasOutput struct {
	UpdateDate *Timestamp `json:"updateDate"`
}

// ListStateMachineAliasesInput is the ListStateMachineAliases request.
type ListStateMachineAliasesInput struct {
	StateMachineArn *string `json:"stateMachineArn"`
	MaxResults      *int32  `json:"maxResults,omitempty"`
	NextToken       *string `json:"nextToken,omitempty"`
}

// StateMachineAliasListItem is one entry of ListStateMachineAliases.
type StateMachineAliasListItem struct {
	StateMachineAliasArn string     `json:"stateMachineAliasArn"`
	CreationDate         *Timestamp `json:"creationDate"`
}

// ListStateMachineAliasesOutput is the ListStateMachineAliases response.
type ListStateMachineAliasesOutput struct {
	StateMachineAliases []StateMachineAliasListItem `json:"stateMachineAliases"`
	NextToken           string                      `json:"nextToken,omitempty"`
}
