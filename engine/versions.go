package engine

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Error codes of versions and aliases, as AWS names them.
const (
	ResourceNotFound      = "ResourceNotFound"
	ConflictException     = "ConflictException"
	UnsupportedOperation  = "UnsupportedOperation"
	maxAliasRoutingRoutes = 2
)

// StateMachineVersion is an immutable, numbered snapshot of a state machine
// (PublishStateMachineVersion). Its ARN is the machine's ARN with
// ":<version number>" appended.
type StateMachineVersion struct {
	ARN             string
	StateMachineARN string
	Version         int64
	Definition      string
	RoleARN         string
	Type            Type
	Description     string
	// RevisionID is the machine's revision the version was published from.
	RevisionID   string
	CreationDate time.Time
}

// AliasRoute sends Weight percent of an alias's executions to a version.
type AliasRoute struct {
	VersionARN string
	Weight     int
}

// StateMachineAlias names one version of a state machine, or splits its
// executions between two versions by weight. Its ARN is the machine's ARN
// with ":<alias name>" appended.
type StateMachineAlias struct {
	ARN             string
	StateMachineARN string
	Name            string
	Description     string
	Routing         []AliasRoute
	CreationDate    time.Time
	UpdateDate      time.Time
}

// VersionStore is what a Store implements to keep versions and aliases.
// MemStore and engine/sqlite implement it; engine/storetest tests both.
type VersionStore interface {
	// PublishVersion stores v under the machine's next version number (numbers
	// are never reused, even after a delete) and returns it with Version and
	// ARN set. When the machine's newest version has v's RevisionID, nothing
	// is written and that version is returned with created=false.
	PublishVersion(ctx context.Context, v *StateMachineVersion) (out *StateMachineVersion, created bool, err error)
	// GetVersion returns a version or ResourceNotFound.
	GetVersion(ctx context.Context, arn string) (*StateMachineVersion, error)
	// ListVersions lists a machine's versions, newest first.
	ListVersions(ctx context.Context, stateMachineARN string, page Page) ([]*StateMachineVersion, string, error)
	// DeleteVersion deletes a version; an alias routing to it →
	// ConflictException; a missing version is no error.
	DeleteVersion(ctx context.Context, arn string) error
	// CreateAlias inserts a; an alias with the same ARN → ConflictException.
	CreateAlias(ctx context.Context, a *StateMachineAlias) error
	// UpdateAlias replaces an alias or returns ResourceNotFound.
	UpdateAlias(ctx context.Context, a *StateMachineAlias) error
	// GetAlias returns an alias or ResourceNotFound.
	GetAlias(ctx context.Context, arn string) (*StateMachineAlias, error)
	// DeleteAlias deletes an alias; a missing alias is no error.
	DeleteAlias(ctx context.Context, arn string) error
	// ListAliases lists a machine's aliases by name.
	ListAliases(ctx context.Context, stateMachineARN string, page Page) ([]*StateMachineAlias, string, error)
	// DeleteMachineVersions deletes every version and alias of a machine
	// and its version counter (DeleteStateMachine).
	DeleteMachineVersions(ctx context.Context, stateMachineARN string) error
}

func (e *Engine) versionStore() (VersionStore, error) {
	vs, ok := e.store.(VersionStore)
	if !ok {
		return nil, Errorf(UnsupportedOperation, "this store does not keep state machine versions")
	}
	return vs, nil
}

// SplitQualifiedARN splits a version or alias ARN
// (arn:aws:states:R:A:stateMachine:NAME:QUALIFIER) into the machine's ARN and
// the qualifier. ok is false for anything else, including unqualified ARNs.
func SplitQualifiedARN(arn string) (stateMachineARN, qualifier string, ok bool) {
	res, rest, valid := ParseARN(arn)
	if !valid || res != "stateMachine" {
		return "", "", false
	}
	name, q, found := strings.Cut(rest, ":")
	if !found || name == "" || q == "" || strings.Contains(q, ":") {
		return "", "", false
	}
	return strings.TrimSuffix(arn, ":"+q), q, true
}

// isVersionQualifier reports whether q is a version number (digits without
// a leading zero); anything else names an alias.
func isVersionQualifier(q string) bool {
	n, err := strconv.ParseInt(q, 10, 64)
	return err == nil && n > 0 && strconv.FormatInt(n, 10) == q
}

// PublishVersionInput is what PublishStateMachineVersion takes.
type PublishVersionInput struct {
	StateMachineARN string
	// RevisionID, when set, must be the machine's current revision.
	RevisionID  string
	Description string
}

// PublishStateMachineVersion publishes the machine's current definition as
// a new version, or returns the newest version when nothing changed since it
// was published.
func (e *Engine) PublishStateMachineVersion(ctx context.Context, in PublishVersionInput) (*StateMachineVersion, error) {
	vs, err := e.versionStore()
	if err != nil {
		return nil, err
	}
	sm, err := e.DescribeStateMachine(ctx, in.StateMachineARN)
	if err != nil {
		return nil, err
	}
	return e.publish(ctx, vs, sm, in.RevisionID, in.Description)
}

func (e *Engine) publish(ctx context.Context, vs VersionStore, sm *StateMachine, revision, description string) (*StateMachineVersion, error) {
	if revision != "" && revision != sm.RevisionID {
		return nil, Errorf(ConflictException, "Failed to publish the State Machine version: revisionId '%s' does not match the current revisionId '%s' of '%s'", revision, sm.RevisionID, sm.ARN)
	}
	v, _, err := vs.PublishVersion(ctx, &StateMachineVersion{StateMachineARN: sm.ARN, Definition: sm.Definition,
		RoleARN: sm.RoleARN, Type: sm.Type, Description: description, RevisionID: sm.RevisionID,
		CreationDate: e.clock.Now()})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// CreateStateMachinePublished creates a machine and publishes its first
// version (CreateStateMachine with publish=true).
func (e *Engine) CreateStateMachinePublished(ctx context.Context, in CreateStateMachineInput, versionDescription string) (*StateMachine, *StateMachineVersion, error) {
	vs, err := e.versionStore()
	if err != nil {
		return nil, nil, err
	}
	sm, err := e.CreateStateMachine(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	v, err := e.publish(ctx, vs, sm, "", versionDescription)
	if err != nil {
		return nil, nil, err
	}
	return sm, v, nil
}

// UpdateStateMachinePublished updates a machine and publishes the result as
// a version (UpdateStateMachine with publish=true).
func (e *Engine) UpdateStateMachinePublished(ctx context.Context, in UpdateStateMachineInput, versionDescription string) (*StateMachine, *StateMachineVersion, error) {
	vs, err := e.versionStore()
	if err != nil {
		return nil, nil, err
	}
	sm, err := e.UpdateStateMachine(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	v, err := e.publish(ctx, vs, sm, "", versionDescription)
	if err != nil {
		return nil, nil, err
	}
	return sm, v, nil
}

// ListStateMachineVersions lists a machine's versions, newest first.
func (e *Engine) ListStateMachineVersions(ctx context.Context, smARN string, page Page) ([]*StateMachineVersion, string, error) {
	vs, err := e.versionStore()
	if err != nil {
		return nil, "", err
	}
	if _, err := e.DescribeStateMachine(ctx, smARN); err != nil {
		return nil, "", err
	}
	return vs.ListVersions(ctx, smARN, page)
}

// DescribeStateMachineVersion returns one version.
func (e *Engine) DescribeStateMachineVersion(ctx context.Context, arn string) (*StateMachineVersion, error) {
	vs, err := e.versionStore()
	if err != nil {
		return nil, err
	}
	if _, q, ok := SplitQualifiedARN(arn); !ok || !isVersionQualifier(q) {
		return nil, Errorf(InvalidArn, "Invalid Arn: '%s'", arn)
	}
	return vs.GetVersion(ctx, arn)
}

// DeleteStateMachineVersion deletes a version; one an alias routes to →
// ConflictException.
func (e *Engine) DeleteStateMachineVersion(ctx context.Context, arn string) error {
	vs, err := e.versionStore()
	if err != nil {
		return err
	}
	if _, q, ok := SplitQualifiedARN(arn); !ok || !isVersionQualifier(q) {
		return Errorf(InvalidArn, "Invalid Arn: '%s'", arn)
	}
	return vs.DeleteVersion(ctx, arn)
}

// AliasInput is what CreateStateMachineAlias and UpdateStateMachineAlias
// take. For an update, ARN names the alias and an empty Routing keeps the
// routing as it is.
type AliasInput struct {
	ARN         string // update only
	Name        string // create only
	Description *string
	Routing     []AliasRoute
}

// checkRouting validates a routing configuration: one or two distinct
// versions of one machine, that exist, weights 0–100 summing to 100. It
// returns the machine's ARN.
func (e *Engine) checkRouting(ctx context.Context, vs VersionStore, routes []AliasRoute) (string, error) {
	if len(routes) == 0 || len(routes) > maxAliasRoutingRoutes {
		return "", Errorf(ValidationException, "1 validation error detected: Value at 'routingConfiguration' failed to satisfy constraint: Member must have length between 1 and 2")
	}
	sum, smARN := 0, ""
	seen := map[string]bool{}
	for _, r := range routes {
		base, q, ok := SplitQualifiedARN(r.VersionARN)
		if !ok || !isVersionQualifier(q) {
			return "", Errorf(InvalidArn, "Invalid Arn: '%s'", r.VersionARN)
		}
		if smARN != "" && base != smARN {
			return "", Errorf(ValidationException, "Routing configuration must contain state machine version ARNs of the same state machine: '%s' and '%s'", smARN, base)
		}
		smARN = base
		if seen[r.VersionARN] {
			return "", Errorf(ValidationException, "Routing configuration must contain distinct state machine version ARNs: '%s' is repeated", r.VersionARN)
		}
		seen[r.VersionARN] = true
		if r.Weight < 0 || r.Weight > 100 {
			return "", Errorf(ValidationException, "1 validation error detected: Value '%d' at 'routingConfiguration.weight' failed to satisfy constraint: Member must be between 0 and 100", r.Weight)
		}
		sum += r.Weight
		if _, err := vs.GetVersion(ctx, r.VersionARN); err != nil {
			return "", err
		}
	}
	if sum != 100 {
		return "", Errorf(ValidationException, "Sum of routing configuration weights must be equal to 100, got %d", sum)
	}
	return smARN, nil
}

// CreateStateMachineAlias creates an alias of the machine whose versions the
// routing names. Creating the same alias again with the same description and
// routing returns it; with a different one → ConflictException.
func (e *Engine) CreateStateMachineAlias(ctx context.Context, in AliasInput) (*StateMachineAlias, error) {
	vs, err := e.versionStore()
	if err != nil {
		return nil, err
	}
	if !validName(in.Name) || isVersionQualifier(in.Name) {
		return nil, Errorf(InvalidName, "Invalid Name: '%s'", in.Name)
	}
	smARN, err := e.checkRouting(ctx, vs, in.Routing)
	if err != nil {
		return nil, err
	}
	now := e.clock.Now()
	a := &StateMachineAlias{ARN: smARN + ":" + in.Name, StateMachineARN: smARN, Name: in.Name,
		Routing: append([]AliasRoute(nil), in.Routing...), CreationDate: now, UpdateDate: now}
	if in.Description != nil {
		a.Description = *in.Description
	}
	if err := vs.CreateAlias(ctx, a); err != nil {
		if ErrorCode(err) == ConflictException {
			old, gerr := vs.GetAlias(ctx, a.ARN)
			if gerr == nil && old.Description == a.Description && sameRouting(old.Routing, a.Routing) {
				return old, nil
			}
		}
		return nil, err
	}
	return a, nil
}

func sameRouting(a, b []AliasRoute) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (e *Engine) aliasARN(arn string) error {
	if _, q, ok := SplitQualifiedARN(arn); !ok || isVersionQualifier(q) {
		return Errorf(InvalidArn, "Invalid Arn: '%s'", arn)
	}
	return nil
}

// DescribeStateMachineAlias returns an alias.
func (e *Engine) DescribeStateMachineAlias(ctx context.Context, arn string) (*StateMachineAlias, error) {
	vs, err := e.versionStore()
	if err != nil {
		return nil, err
	}
	if err := e.aliasARN(arn); err != nil {
		return nil, err
	}
	return vs.GetAlias(ctx, arn)
}

// UpdateStateMachineAlias changes an alias's description and/or routing.
func (e *Engine) UpdateStateMachineAlias(ctx context.Context, in AliasInput) (*StateMachineAlias, error) {
	vs, err := e.versionStore()
	if err != nil {
		return nil, err
	}
	if err := e.aliasARN(in.ARN); err != nil {
		return nil, err
	}
	if in.Description == nil && len(in.Routing) == 0 {
		return nil, Errorf(ValidationException, "Either the description or the routing configuration must be specified")
	}
	a, err := vs.GetAlias(ctx, in.ARN)
	if err != nil {
		return nil, err
	}
	if len(in.Routing) > 0 {
		smARN, err := e.checkRouting(ctx, vs, in.Routing)
		if err != nil {
			return nil, err
		}
		if smARN != a.StateMachineARN {
			return nil, Errorf(ValidationException, "Routing configuration of alias '%s' must name versions of '%s'", a.ARN, a.StateMachineARN)
		}
		a.Routing = append([]AliasRoute(nil), in.Routing...)
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	a.UpdateDate = e.clock.Now()
	if err := vs.UpdateAlias(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteStateMachineAlias deletes an alias.
func (e *Engine) DeleteStateMachineAlias(ctx context.Context, arn string) error {
	vs, err := e.versionStore()
	if err != nil {
		return err
	}
	if err := e.aliasARN(arn); err != nil {
		return err
	}
	return vs.DeleteAlias(ctx, arn)
}

// ListStateMachineAliases lists a machine's aliases by name.
func (e *Engine) ListStateMachineAliases(ctx context.Context, smARN string, page Page) ([]*StateMachineAlias, string, error) {
	vs, err := e.versionStore()
	if err != nil {
		return nil, "", err
	}
	if _, err := e.DescribeStateMachine(ctx, smARN); err != nil {
		return nil, "", err
	}
	return vs.ListAliases(ctx, smARN, page)
}

// PickRoute chooses the version an alias runs: n is a number in [0, 100)
// from the caller's random source.
func PickRoute(routes []AliasRoute, n int) string {
	for _, r := range routes {
		if n < r.Weight {
			return r.VersionARN
		}
		n -= r.Weight
	}
	if len(routes) == 0 {
		return ""
	}
	return routes[len(routes)-1].VersionARN
}

// randomPercent returns a number in [0, 100) from Options.Rand, which tests
// can replace to pick an alias's route deterministically.
func (e *Engine) randomPercent() int {
	n := int(e.opts.Rand() * 100)
	return min(max(n, 0), 99)
}

// qualified is what a version or alias ARN given to StartExecution resolves
// to.
type qualified struct {
	stateMachineARN string
	version         *StateMachineVersion
	aliasARN        string
}

// apply returns a copy of sm that runs the version's definition and role.
func (q *qualified) apply(sm *StateMachine) *StateMachine {
	c := copySM(sm)
	c.Definition = q.version.Definition
	c.RoleARN = q.version.RoleARN
	return c
}

// resolveQualified resolves a version or alias ARN; it returns nil for an
// unqualified machine ARN. An alias picks one of its versions by weight.
func (e *Engine) resolveQualified(ctx context.Context, arn string) (*qualified, error) {
	base, q, ok := SplitQualifiedARN(arn)
	if !ok {
		return nil, nil
	}
	vs, err := e.versionStore()
	if err != nil {
		return nil, err
	}
	out := &qualified{stateMachineARN: base}
	versionARN := arn
	if !isVersionQualifier(q) {
		a, err := vs.GetAlias(ctx, arn)
		if err != nil {
			if ErrorCode(err) == ResourceNotFound {
				return nil, Errorf(StateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
			}
			return nil, err
		}
		out.aliasARN = a.ARN
		versionARN = PickRoute(a.Routing, e.randomPercent())
	}
	v, err := vs.GetVersion(ctx, versionARN)
	if err != nil {
		if ErrorCode(err) == ResourceNotFound {
			return nil, Errorf(StateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
		}
		return nil, err
	}
	out.version = v
	return out, nil
}

// ExecutionVersion is the version (and alias) an execution was started
// with; empty when it was started with the machine's ARN.
type ExecutionVersion struct {
	VersionARN string
	AliasARN   string
}

// ExecutionVersionStore is implemented by version stores that remember which
// version and alias an execution runs.
type ExecutionVersionStore interface {
	// PutExecutionVersion records the version and alias of an execution.
	PutExecutionVersion(ctx context.Context, executionARN string, v ExecutionVersion) error
	// GetExecutionVersion returns them; the zero value when none were recorded.
	GetExecutionVersion(ctx context.Context, executionARN string) (ExecutionVersion, error)
}

// recordQualified remembers the version and alias an execution started
// with. The execution already runs; a failure here only loses the ARNs
// DescribeExecution reports, so it is logged, not returned.
func (e *Engine) recordQualified(ctx context.Context, executionARN string, q *qualified) {
	s, ok := e.store.(ExecutionVersionStore)
	if !ok {
		return
	}
	if err := s.PutExecutionVersion(ctx, executionARN, ExecutionVersion{VersionARN: q.version.ARN, AliasARN: q.aliasARN}); err != nil {
		e.log.Error("record execution version", "execution", executionARN, "version", q.version.ARN, "error", err)
	}
}

// DescribeExecutionVersion returns the version and alias an execution was
// started with (zero when the machine's ARN started it).
func (e *Engine) DescribeExecutionVersion(ctx context.Context, executionARN string) (ExecutionVersion, error) {
	s, ok := e.store.(ExecutionVersionStore)
	if !ok {
		return ExecutionVersion{}, nil
	}
	return s.GetExecutionVersion(ctx, executionARN)
}
