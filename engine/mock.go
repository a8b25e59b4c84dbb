package engine

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"stepwise/engine/jsonv"
)

// MockConfig is AWS Step Functions Local's MockConfigFile: test cases per
// state machine name mapping state names to mocked responses, and the
// responses, each a list of answers for successive attempts.
type MockConfig struct {
	// StateMachines maps machine name → test case name → state name →
	// mocked response name.
	StateMachines map[string]map[string]map[string]string
	// Responses maps a mocked response name to its answers by attempt.
	Responses map[string]*MockResponse
}

// MockResponse answers successive attempts: ranges are inclusive attempt
// numbers ("0", "1-2"), sorted.
type MockResponse struct {
	ranges []mockRange
}

type mockRange struct {
	from, to int
	answer   TaskResult
}

// ParseMockConfig parses a MockConfigFile. Errors name the offending key.
func ParseMockConfig(data []byte) (*MockConfig, error) {
	v, err := jsonv.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("mock config: %w", err)
	}
	root, ok := v.(*jsonv.Object)
	if !ok {
		return nil, fmt.Errorf("mock config: the document must be an object, not %s", jsonv.TypeName(v))
	}
	cfg := &MockConfig{StateMachines: map[string]map[string]map[string]string{}, Responses: map[string]*MockResponse{}}
	if sms, ok := root.Get("StateMachines"); ok {
		smo, ok := sms.(*jsonv.Object)
		if !ok {
			return nil, fmt.Errorf("mock config: StateMachines must be an object")
		}
		for _, m := range smo.Members() {
			mo, ok := m.Value.(*jsonv.Object)
			if !ok {
				return nil, fmt.Errorf("mock config: StateMachines.%s must be an object", m.Key)
			}
			cases := map[string]map[string]string{}
			if tcs, ok := mo.Get("TestCases"); ok {
				tco, ok := tcs.(*jsonv.Object)
				if !ok {
					return nil, fmt.Errorf("mock config: StateMachines.%s.TestCases must be an object", m.Key)
				}
				for _, tc := range tco.Members() {
					so, ok := tc.Value.(*jsonv.Object)
					if !ok {
						return nil, fmt.Errorf("mock config: StateMachines.%s.TestCases.%s must be an object", m.Key, tc.Key)
					}
					states := map[string]string{}
					for _, s := range so.Members() {
						name, ok := s.Value.(string)
						if !ok {
							return nil, fmt.Errorf("mock config: StateMachines.%s.TestCases.%s.%s must name a mocked response", m.Key, tc.Key, s.Key)
						}
						states[s.Key] = name
					}
					cases[tc.Key] = states
				}
			}
			cfg.StateMachines[m.Key] = cases
		}
	}
	if mrs, ok := root.Get("MockedResponses"); ok {
		mro, ok := mrs.(*jsonv.Object)
		if !ok {
			return nil, fmt.Errorf("mock config: MockedResponses must be an object")
		}
		for _, m := range mro.Members() {
			resp, err := parseMockResponse(m.Key, m.Value)
			if err != nil {
				return nil, err
			}
			cfg.Responses[m.Key] = resp
		}
	}
	// Every test case must name existing responses.
	for sm, cases := range cfg.StateMachines {
		for tc, states := range cases {
			for st, name := range states {
				if cfg.Responses[name] == nil {
					return nil, fmt.Errorf("mock config: StateMachines.%s.TestCases.%s.%s names the mocked response %q, which MockedResponses does not define", sm, tc, st, name)
				}
			}
		}
	}
	return cfg, nil
}

func parseMockResponse(name string, v any) (*MockResponse, error) {
	o, ok := v.(*jsonv.Object)
	if !ok {
		return nil, fmt.Errorf("mock config: MockedResponses.%s must be an object", name)
	}
	resp := &MockResponse{}
	for _, m := range o.Members() {
		from, to, err := parseAttempts(m.Key)
		if err != nil {
			return nil, fmt.Errorf("mock config: MockedResponses.%s: %w", name, err)
		}
		ao, ok := m.Value.(*jsonv.Object)
		if !ok {
			return nil, fmt.Errorf("mock config: MockedResponses.%s.%s must be an object with Return or Throw", name, m.Key)
		}
		ret, hasRet := ao.Get("Return")
		thr, hasThr := ao.Get("Throw")
		var res TaskResult
		switch {
		case hasRet && hasThr:
			return nil, fmt.Errorf("mock config: MockedResponses.%s.%s has both Return and Throw", name, m.Key)
		case hasRet:
			res.Output = ret
		case hasThr:
			to, ok := thr.(*jsonv.Object)
			if !ok {
				return nil, fmt.Errorf("mock config: MockedResponses.%s.%s.Throw must be an object with Error and Cause", name, m.Key)
			}
			res.Failed = true
			if e, ok := to.Get("Error"); ok {
				res.Error, _ = e.(string)
			}
			if c, ok := to.Get("Cause"); ok {
				res.Cause, _ = c.(string)
			}
		default:
			return nil, fmt.Errorf("mock config: MockedResponses.%s.%s needs Return or Throw", name, m.Key)
		}
		resp.ranges = append(resp.ranges, mockRange{from: from, to: to, answer: res})
	}
	sort.Slice(resp.ranges, func(i, j int) bool { return resp.ranges[i].from < resp.ranges[j].from })
	for i := 1; i < len(resp.ranges); i++ {
		if resp.ranges[i].from <= resp.ranges[i-1].to {
			return nil, fmt.Errorf("mock config: MockedResponses.%s: attempts %d-%d overlap the ones before", name, resp.ranges[i].from, resp.ranges[i].to)
		}
	}
	if len(resp.ranges) == 0 {
		return nil, fmt.Errorf("mock config: MockedResponses.%s has no answers", name)
	}
	return resp, nil
}

func parseAttempts(key string) (int, int, error) {
	a, b, isRange := strings.Cut(key, "-")
	from, err := strconv.Atoi(a)
	if err != nil || from < 0 {
		return 0, 0, fmt.Errorf("attempt key %q must be a number or a range like \"1-2\"", key)
	}
	to := from
	if isRange {
		to, err = strconv.Atoi(b)
		if err != nil || to < from {
			return 0, 0, fmt.Errorf("attempt key %q must be a number or a range like \"1-2\"", key)
		}
	}
	return from, to, nil
}

// Answer returns the answer for an attempt (0-based). Past the last range,
// the last answer repeats.
func (r *MockResponse) Answer(attempt int) TaskResult {
	for _, rg := range r.ranges {
		if attempt >= rg.from && attempt <= rg.to {
			return rg.answer
		}
	}
	return r.ranges[len(r.ranges)-1].answer
}

// response finds the mocked response for a request.
func (c *MockConfig) response(req *TaskRequest) *MockResponse {
	if c == nil || req.TestCase == "" {
		return nil
	}
	name := c.StateMachines[req.StateMachineName][req.TestCase][req.StateName]
	if name == "" {
		return nil
	}
	return c.Responses[name]
}

// MockIntegration answers Task states from a MockConfig for executions
// started with a test case.
type MockIntegration struct {
	Config *MockConfig
}

// Handles reports whether the request's test case mocks its state.
func (m *MockIntegration) Handles(req *TaskRequest) bool { return m.Config.response(req) != nil }

// Start answers at once.
func (m *MockIntegration) Start(ctx context.Context, req *TaskRequest, done func(TaskResult)) {
	done(m.Config.response(req).Answer(req.Attempt))
}
