package function

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"stepwise/engine"
	"stepwise/engine/httptask"
	"stepwise/engine/jsonv"
	"stepwise/engine/registry"
)

// Resources served besides bare function ARNs.
const (
	Resource         = "arn:aws:states:::lambda:invoke"
	ResourceCallback = "arn:aws:states:::lambda:invoke.waitForTaskToken"
)

// MaxPayloadBytes is Lambda's synchronous response limit (6 MB).
const MaxPayloadBytes = 6 << 20

// Lambda's error names for failures that are not the function's own.
const (
	ErrService  = "Lambda.ServiceException"
	ErrUnknown  = "Lambda.Unknown"
	ErrNotFound = "Lambda.ResourceNotFoundException"
	ErrTooMany  = "Lambda.TooManyRequestsException"
	ErrInvalid  = "Lambda.InvalidParameterValueException"
	ErrTooLarge = "Lambda.RequestTooLargeException"
)

// Integration calls registered functions.
type Integration struct {
	// Registry holds the functions; nil means none is registered.
	Registry registry.Registry
	// Guard dials every call unless Client is set.
	Guard *httptask.Guard
	// Client overrides the client built from Guard; it must dial through
	// a Guard to keep the outbound protection.
	Client *http.Client
	// Timeout caps one call when the function sets none (default 60 s).
	Timeout time.Duration
	// Region and Account fill ARNs in messages (default us-east-1,
	// 123456789012, as the engine's).
	Region, Account string

	once sync.Once
	cl   *http.Client
}

var _ engine.Integration = (*Integration)(nil)

func (in *Integration) client() *http.Client {
	in.once.Do(func() {
		in.cl = in.Client
		if in.cl == nil {
			// The per-call context carries the timeout; the client's own is
			// the longest a function may run (Lambda's 900 s).
			in.cl = httptask.NewClient(in.Guard, httptask.ClientOptions{Timeout: 900 * time.Second})
		}
	})
	return in.cl
}

// Handles reports whether req names lambda:invoke or a function ARN.
func (in *Integration) Handles(req *engine.TaskRequest) bool {
	if req.Resource == Resource || req.Resource == ResourceCallback {
		return true
	}
	return isFunctionARN(req.Resource)
}

func isFunctionARN(s string) bool {
	if !strings.HasPrefix(s, "arn:") || strings.Count(s, ":") < 6 {
		return false
	}
	_, err := ParseName(s)
	return err == nil && strings.Contains(s, ":lambda:")
}

// Start calls the function in a goroutine. For .waitForTaskToken the task
// ends with the callback; only a failed call ends it here.
func (in *Integration) Start(ctx context.Context, req *engine.TaskRequest, done func(engine.TaskResult)) {
	go func() {
		r := in.Invoke(ctx, req)
		if req.Resource == ResourceCallback && !r.Failed {
			return
		}
		done(r)
	}()
}

func fail(name, cause string) engine.TaskResult {
	return engine.TaskResult{Failed: true, Error: name, Cause: cause}
}

func (in *Integration) region() string {
	if in.Region != "" {
		return in.Region
	}
	return "us-east-1"
}

func (in *Integration) account() string {
	if in.Account != "" {
		return in.Account
	}
	return "123456789012"
}

// call is one invocation's parameters.
type call struct {
	name           Name
	payload        any
	hasPayload     bool
	invocationType string
	clientContext  string
	bare           bool
}

func parseCall(req *engine.TaskRequest) (call, error) {
	if req.Resource != Resource && req.Resource != ResourceCallback {
		n, err := ParseName(req.Resource)
		if err != nil {
			return call{}, err
		}
		return call{name: n, payload: req.Input, hasPayload: true, invocationType: "RequestResponse", bare: true}, nil
	}
	p, ok := req.Input.(*jsonv.Object)
	if !ok {
		return call{}, fmt.Errorf("parameters must be an object with FunctionName, not %s", jsonv.TypeName(req.Input))
	}
	fv, _ := p.Get("FunctionName")
	fs, ok := fv.(string)
	if !ok {
		return call{}, errors.New("FunctionName is required and must be a string")
	}
	n, err := ParseName(fs)
	if err != nil {
		return call{}, err
	}
	if qv, ok := p.Get("Qualifier"); ok {
		q, _ := qv.(string)
		if !qualifierRE.MatchString(q) || (n.Qualifier != "" && n.Qualifier != q) {
			return call{}, fmt.Errorf("field Qualifier %s is not a version or alias, or conflicts with FunctionName %q", jsonv.String(qv), fs)
		}
		n.Qualifier = q
	}
	c := call{name: n, invocationType: "RequestResponse"}
	c.payload, c.hasPayload = p.Get("Payload")
	if iv, ok := p.Get("InvocationType"); ok {
		s, _ := iv.(string)
		if s != "RequestResponse" && s != "Event" && s != "DryRun" {
			return call{}, fmt.Errorf("InvocationType %s must be RequestResponse, Event or DryRun", jsonv.String(iv))
		}
		c.invocationType = s
	}
	if cv, ok := p.Get("ClientContext"); ok {
		s, _ := cv.(string)
		c.clientContext = s
	}
	return c, nil
}

// Invoke calls the function synchronously (Event invocations return once
// the call is handed off, as Lambda's 202).
func (in *Integration) Invoke(ctx context.Context, req *engine.TaskRequest) engine.TaskResult {
	c, err := parseCall(req)
	if err != nil {
		return fail(ErrInvalid, fmt.Sprintf("Task %q: %v", req.StateName, err))
	}
	arn := c.name.ARN(in.region(), in.account())
	var fn registry.Function
	if in.Registry != nil {
		fn, err = in.Registry.GetFunction(ctx, c.name.Name)
	} else {
		err = registry.ErrNotFound
	}
	if errors.Is(err, registry.ErrNotFound) {
		return fail(ErrNotFound, fmt.Sprintf("Function not found: %s. Register a function named %q (its HTTP endpoint) on the Functions page (/functions) or with PUT /api/functions/%s.", arn, c.name.Name, c.name.Name))
	}
	if err != nil {
		return fail(ErrService, fmt.Sprintf("looking up function %q: %v", c.name.Name, err))
	}
	body := []byte("{}")
	if c.hasPayload {
		body = jsonv.Marshal(c.payload)
	}
	if len(body) > MaxPayloadBytes {
		return fail(ErrTooLarge, fmt.Sprintf("Request payload of %d bytes exceeds the %d-byte limit of function %s", len(body), MaxPayloadBytes, arn))
	}
	requestID := newRequestID()
	switch c.invocationType {
	case "DryRun":
		return engine.TaskResult{Output: in.result(c, 204, nil, requestID, nil)}
	case "Event":
		// Lambda queues the event and answers 202 at once; here the call
		// runs detached, bounded by the function's timeout.
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), in.timeout(fn))
			defer cancel()
			if resp, err := in.post(ctx, fn, c, body, requestID); err == nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxPayloadBytes))
				_ = resp.Body.Close()
			}
		}()
		return engine.TaskResult{Output: in.result(c, 202, nil, requestID, nil)}
	}
	timeout := in.timeout(fn)
	if req.TimeoutSeconds > 0 && time.Duration(req.TimeoutSeconds)*time.Second < timeout {
		timeout = time.Duration(req.TimeoutSeconds) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := in.post(ctx, fn, c, body, requestID)
	if err != nil {
		var be *httptask.BlockedError
		if errors.As(err, &be) {
			return fail(ErrService, fmt.Sprintf("Function %s at its registered endpoint: %v", arn, be))
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return fail(ErrService, fmt.Sprintf("Function %s did not answer within %s", arn, timeout))
		}
		return fail(ErrService, fmt.Sprintf("Function %s: calling its endpoint: %v", arn, err))
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxPayloadBytes+1))
	if err != nil {
		return fail(ErrService, fmt.Sprintf("Function %s: reading its answer: %v", arn, err))
	}
	if len(raw) > MaxPayloadBytes {
		return fail(ErrUnknown, fmt.Sprintf("Function %s: response payload exceeds the %d-byte limit", arn, MaxPayloadBytes))
	}
	payload, parsed := decodePayload(raw)
	if fe := resp.Header.Get("X-Amz-Function-Error"); fe != "" || (resp.StatusCode >= 400 && errorBody(payload)) {
		return functionError(payload, raw, parsed)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fail(ErrNotFound, fmt.Sprintf("Function %s: its endpoint answered 404 Not Found; check the URL it is registered with", arn))
	case resp.StatusCode == http.StatusTooManyRequests:
		return fail(ErrTooMany, fmt.Sprintf("Function %s: its endpoint answered 429 Too Many Requests", arn))
	case resp.StatusCode >= 500:
		return fail(ErrService, fmt.Sprintf("Function %s: its endpoint answered %s", arn, resp.Status))
	case resp.StatusCode >= 300:
		return fail(ErrUnknown, fmt.Sprintf("Function %s: its endpoint answered %s", arn, resp.Status))
	}
	if c.bare {
		return engine.TaskResult{Output: payload}
	}
	return engine.TaskResult{Output: in.result(c, 200, payload, requestID, resp.Header)}
}

func (in *Integration) timeout(fn registry.Function) time.Duration {
	if fn.TimeoutSeconds > 0 {
		return time.Duration(fn.TimeoutSeconds) * time.Second
	}
	if in.Timeout > 0 {
		return in.Timeout
	}
	return 60 * time.Second
}

func (in *Integration) post(ctx context.Context, fn registry.Function, c call, body []byte, requestID string) (*http.Response, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, fn.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("registered URL: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("User-Agent", "Stepwise function call")
	hreq.Header.Set("X-Amz-Invocation-Type", c.invocationType)
	hreq.Header.Set("Lambda-Runtime-Aws-Request-Id", requestID)
	hreq.Header.Set("Lambda-Runtime-Invoked-Function-Arn", c.name.ARN(in.region(), in.account()))
	if c.name.Qualifier != "" {
		hreq.Header.Set("X-Amz-Function-Qualifier", c.name.Qualifier)
	}
	if c.clientContext != "" {
		hreq.Header.Set("X-Amz-Client-Context", c.clientContext)
	}
	resp, err := in.client().Do(hreq)
	if err != nil {
		// Drop the URL from the error: it may carry a token in its query.
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err
		}
		return nil, err
	}
	return resp, nil
}

func decodePayload(raw []byte) (any, bool) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, true
	}
	v, err := jsonv.Decode(raw)
	if err != nil {
		return string(raw), false
	}
	return v, true
}

func errorBody(v any) bool {
	o, ok := v.(*jsonv.Object)
	if !ok {
		return false
	}
	_, t := o.Get("errorType")
	_, m := o.Get("errorMessage")
	return t || m
}

// functionError is the task failure for the function's own error: the
// error is its errorType, the cause the error body, as Step Functions
// reports Lambda errors.
func functionError(payload any, raw []byte, parsed bool) engine.TaskResult {
	name := ErrUnknown
	cause := string(raw)
	if o, ok := payload.(*jsonv.Object); ok && parsed {
		if t, ok := o.Get("errorType"); ok {
			if s, ok := t.(string); ok && s != "" {
				name = s
			}
		}
		cause = jsonv.String(o)
	}
	return fail(name, cause)
}

// result is lambda:invoke's output shape.
func (in *Integration) result(c call, status int, payload any, requestID string, h http.Header) *jsonv.Object {
	version := "$LATEST"
	if v := h.Get("X-Amz-Executed-Version"); v != "" {
		version = v
	} else if q := c.name.Qualifier; q != "" && isNumber(q) {
		version = q
	}
	all := jsonv.NewObject(4)
	flat := jsonv.NewObject(4)
	headers := map[string]string{"Content-Type": "application/json", "X-Amz-Executed-Version": version, "x-amzn-RequestId": requestID}
	if h != nil {
		if d := h.Get("Date"); d != "" {
			headers["Date"] = d
		}
	}
	keys := make([]string, 0, len(headers))
	for k := range headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		all.Set(k, []any{headers[k]})
		flat.Set(k, headers[k])
	}
	out := jsonv.NewObject(5)
	if status == 200 {
		out.Set("ExecutedVersion", version)
	}
	if status == 200 {
		out.Set("Payload", payload)
	} else {
		out.Set("Payload", "")
	}
	out.Set("SdkHttpMetadata", jsonv.ObjectOf("AllHttpHeaders", all, "HttpHeaders", flat, "HttpStatusCode", jsonv.Number(int64(status))))
	out.Set("SdkResponseMetadata", jsonv.ObjectOf("RequestId", requestID))
	out.Set("StatusCode", jsonv.Number(int64(status)))
	return out
}

func isNumber(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
