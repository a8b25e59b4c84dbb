package engine

import (
	"context"
	"sort"
	"strconv"
)

// memVersions holds a MemStore's versions and aliases; MemStore.mu guards it.
type memVersions struct {
	versions map[string]*StateMachineVersion
	aliases  map[string]*StateMachineAlias
	counters map[string]int64 // machine ARN → last version number given
	execs    map[string]ExecutionVersion
	redrives map[string]Redrive // redrive_memstore.go
}

func (m *memVersions) init() {
	if m.versions == nil {
		m.versions = map[string]*StateMachineVersion{}
		m.aliases = map[string]*StateMachineAlias{}
		m.counters = map[string]int64{}
		m.execs = map[string]ExecutionVersion{}
		m.redrives = map[string]Redrive{}
	}
}

func copyAlias(a *StateMachineAlias) *StateMachineAlias {
	c := *a
	c.Routing = append([]AliasRoute(nil), a.Routing...)
	return &c
}

func copyVersion(v *StateMachineVersion) *StateMachineVersion {
	c := *v
	return &c
}

func versionNotFound(arn string) error {
	return Errorf(ResourceNotFound, "State Machine Version Does Not Exist: '%s'", arn)
}

func aliasNotFound(arn string) error {
	return Errorf(ResourceNotFound, "State Machine Alias Does Not Exist: '%s'", arn)
}

// PublishVersion implements VersionStore.
func (s *MemStore) PublishVersion(ctx context.Context, v *StateMachineVersion) (*StateMachineVersion, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vers.init()
	var newest *StateMachineVersion
	for _, o := range s.vers.versions {
		if o.StateMachineARN == v.StateMachineARN && (newest == nil || o.Version > newest.Version) {
			newest = o
		}
	}
	if newest != nil && newest.RevisionID == v.RevisionID {
		return copyVersion(newest), false, nil
	}
	n := s.vers.counters[v.StateMachineARN] + 1
	s.vers.counters[v.StateMachineARN] = n
	c := copyVersion(v)
	c.Version = n
	c.ARN = v.StateMachineARN + ":" + strconv.FormatInt(n, 10)
	s.vers.versions[c.ARN] = c
	return copyVersion(c), true, nil
}

// GetVersion implements VersionStore.
func (s *MemStore) GetVersion(ctx context.Context, arn string) (*StateMachineVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.vers.versions[arn]
	if !ok {
		return nil, versionNotFound(arn)
	}
	return copyVersion(v), nil
}

// ListVersions implements VersionStore.
func (s *MemStore) ListVersions(ctx context.Context, smARN string, page Page) ([]*StateMachineVersion, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []*StateMachineVersion
	for _, v := range s.vers.versions {
		if v.StateMachineARN == smARN {
			all = append(all, v)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Version > all[j].Version })
	start, end, next, err := pageBounds(page, len(all))
	if err != nil {
		return nil, "", err
	}
	out := make([]*StateMachineVersion, 0, end-start)
	for _, v := range all[start:end] {
		out = append(out, copyVersion(v))
	}
	return out, next, nil
}

// DeleteVersion implements VersionStore.
func (s *MemStore) DeleteVersion(ctx context.Context, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.vers.aliases {
		for _, r := range a.Routing {
			if r.VersionARN == arn {
				return Errorf(ConflictException, "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [%s]", a.ARN)
			}
		}
	}
	delete(s.vers.versions, arn)
	return nil
}

// CreateAlias implements VersionStore.
func (s *MemStore) CreateAlias(ctx context.Context, a *StateMachineAlias) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vers.init()
	if _, ok := s.vers.aliases[a.ARN]; ok {
		return Errorf(ConflictException, "State Machine Alias Already Exists: '%s'", a.ARN)
	}
	s.vers.aliases[a.ARN] = copyAlias(a)
	return nil
}

// UpdateAlias implements VersionStore.
func (s *MemStore) UpdateAlias(ctx context.Context, a *StateMachineAlias) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.vers.aliases[a.ARN]; !ok {
		return aliasNotFound(a.ARN)
	}
	s.vers.aliases[a.ARN] = copyAlias(a)
	return nil
}

// GetAlias implements VersionStore.
func (s *MemStore) GetAlias(ctx context.Context, arn string) (*StateMachineAlias, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.vers.aliases[arn]
	if !ok {
		return nil, aliasNotFound(arn)
	}
	return copyAlias(a), nil
}

// DeleteAlias implements VersionStore.
func (s *MemStore) DeleteAlias(ctx context.Context, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.vers.aliases, arn)
	return nil
}

// ListAliases implements VersionStore.
func (s *MemStore) ListAliases(ctx context.Context, smARN string, page Page) ([]*StateMachineAlias, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []*StateMachineAlias
	for _, a := range s.vers.aliases {
		if a.StateMachineARN == smARN {
			all = append(all, a)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	start, end, next, err := pageBounds(page, len(all))
	if err != nil {
		return nil, "", err
	}
	out := make([]*StateMachineAlias, 0, end-start)
	for _, a := range all[start:end] {
		out = append(out, copyAlias(a))
	}
	return out, next, nil
}

// DeleteMachineVersions implements VersionStore.
func (s *MemStore) DeleteMachineVersions(ctx context.Context, smARN string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for arn, v := range s.vers.versions {
		if v.StateMachineARN == smARN {
			delete(s.vers.versions, arn)
		}
	}
	for arn, a := range s.vers.aliases {
		if a.StateMachineARN == smARN {
			delete(s.vers.aliases, arn)
		}
	}
	delete(s.vers.counters, smARN)
	return nil
}

// PutExecutionVersion implements ExecutionVersionStore.
func (s *MemStore) PutExecutionVersion(ctx context.Context, executionARN string, v ExecutionVersion) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vers.init()
	s.vers.execs[executionARN] = v
	return nil
}

// GetExecutionVersion implements ExecutionVersionStore.
func (s *MemStore) GetExecutionVersion(ctx context.Context, executionARN string) (ExecutionVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.vers.execs[executionARN], nil
}

var (
	_ VersionStore          = (*MemStore)(nil)
	_ ExecutionVersionStore = (*MemStore)(nil)
)
