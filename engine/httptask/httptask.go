package httptask

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"stepwise/engine"
	"stepwise/engine/jsonv"
	"stepwise/engine/registry"
)

// Resource is the HTTP task's resource.
const Resource = "arn:aws:states:::http:invoke"

// DefaultMaxResponseBytes caps a response body (10 MiB). The engine's
// payload limit still applies to the state's output.
const DefaultMaxResponseBytes = 10 << 20

// Integration runs HTTP tasks. Its zero value is not usable: set Guard (or
// Client) and, for connections, Registry.
type Integration struct {
	// Registry resolves ConnectionArn; nil means no connections exist.
	Registry registry.Registry
	// Guard dials every request unless Client is set.
	Guard *Guard
	// Client overrides the client built from Guard (tests, custom TLS). It
	// must dial through a Guard to keep the outbound protection.
	Client *http.Client
	// Timeout caps one request (default 60 s); a task's TimeoutSeconds
	// shortens it.
	Timeout time.Duration
	// MaxResponseBytes caps the response body (default 10 MiB).
	MaxResponseBytes int64
	// Proxy is an explicit outbound proxy (nil: none).
	Proxy *url.URL
	// Now is the clock for OAuth token expiry (default time.Now).
	Now func() time.Time

	once   sync.Once
	cl     *http.Client
	tokens tokenCache
}

var _ engine.Integration = (*Integration)(nil)

func (in *Integration) client() *http.Client {
	in.once.Do(func() {
		if in.Client != nil {
			in.cl = in.Client
			return
		}
		in.cl = NewClient(in.Guard, ClientOptions{Timeout: in.timeout(), Proxy: in.Proxy})
	})
	return in.cl
}

func (in *Integration) timeout() time.Duration {
	if in.Timeout > 0 {
		return in.Timeout
	}
	return 60 * time.Second
}

func (in *Integration) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

// Handles reports whether req is an HTTP task.
func (in *Integration) Handles(req *engine.TaskRequest) bool { return req.Resource == Resource }

// Start performs the request in a goroutine and reports its result.
func (in *Integration) Start(ctx context.Context, req *engine.TaskRequest, done func(engine.TaskResult)) {
	go func() { done(in.Invoke(ctx, req)) }()
}

// failure builds a failed TaskResult.
func failure(name, cause string) engine.TaskResult {
	return engine.TaskResult{Failed: true, Error: name, Cause: cause}
}

// Errors the HTTP task reports besides States.Http.StatusCode.<code>.
const (
	// ErrSocket is AWS's error for a request that got no HTTP answer
	// (refused by the guard, unreachable, timed out, too large).
	ErrSocket = "States.Http.Socket"
	// ErrParameters is a Parameters block the task cannot send (missing
	// ApiEndpoint, bad Method, unknown connection...): a task failure, so
	// Catch can handle it.
	ErrParameters = "States.TaskFailed"
)

var methods = map[string]bool{"GET": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true, "OPTIONS": true, "HEAD": true}

// Headers a task may not set: they are the transport's or the
// connection's business.
var forbiddenHeaders = map[string]bool{"host": true, "content-length": true, "connection": true,
	"transfer-encoding": true, "upgrade": true, "te": true, "trailer": true, "keep-alive": true,
	"proxy-authorization": true, "proxy-connection": true, "expect": true}

// Invoke performs the HTTP task synchronously.
func (in *Integration) Invoke(ctx context.Context, req *engine.TaskRequest) engine.TaskResult {
	p, ok := req.Input.(*jsonv.Object)
	if !ok {
		return failure(ErrParameters, fmt.Sprintf("HTTP task %q: Parameters must be an object, not %s", req.StateName, jsonv.TypeName(req.Input)))
	}
	hreq, conn, err := in.build(ctx, req, p)
	if err != nil {
		return failure(ErrParameters, fmt.Sprintf("HTTP task %q: %v", req.StateName, err))
	}
	timeout := in.timeout()
	if req.TimeoutSeconds > 0 && time.Duration(req.TimeoutSeconds)*time.Second < timeout {
		timeout = time.Duration(req.TimeoutSeconds) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hreq = hreq.WithContext(ctx)
	if conn != nil {
		if err := in.authorize(ctx, conn, hreq); err != nil {
			return failure("States.Http.Authorization", fmt.Sprintf("HTTP task %q: %v", req.StateName, err))
		}
	}
	cl := in.client()
	if conn != nil {
		cl = stripOnCrossHostRedirect(cl, conn)
	}
	resp, err := cl.Do(hreq)
	if err != nil {
		err = scrubURLError(err)
		var be *BlockedError
		if errors.As(err, &be) {
			return failure(ErrSocket, fmt.Sprintf("HTTP task %q: %v", req.StateName, be))
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return failure(ErrSocket, fmt.Sprintf("HTTP task %q: %s %s: no answer within %s", req.StateName, hreq.Method, redactedURL(hreq.URL), timeout))
		}
		return failure(ErrSocket, fmt.Sprintf("HTTP task %q: %s %s: %v", req.StateName, hreq.Method, redactedURL(hreq.URL), err))
	}
	defer func() { _ = resp.Body.Close() }()
	limit := in.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return failure(ErrSocket, fmt.Sprintf("HTTP task %q: reading the response of %s %s: %v", req.StateName, hreq.Method, redactedURL(hreq.URL), err))
	}
	if int64(len(body)) > limit {
		return failure(ErrSocket, fmt.Sprintf("HTTP task %q: the response of %s %s exceeds %d bytes", req.StateName, hreq.Method, redactedURL(hreq.URL), limit))
	}
	out := responseObject(resp, body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return failure("States.Http.StatusCode."+strconv.Itoa(resp.StatusCode), jsonv.String(out))
	}
	return engine.TaskResult{Output: out}
}

func redactedURL(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	c.User = nil
	return c.String()
}

// build turns the Parameters into a request and finds the connection.
func (in *Integration) build(ctx context.Context, req *engine.TaskRequest, p *jsonv.Object) (*http.Request, *registry.Connection, error) {
	endpoint, _ := p.Get("ApiEndpoint")
	ep, ok := endpoint.(string)
	if !ok || ep == "" {
		return nil, nil, errors.New("ApiEndpoint must be a non-empty string")
	}
	u, err := url.Parse(ep)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("ApiEndpoint %q must be an absolute http:// or https:// URL", redactedEndpoint(ep))
	}
	mv, _ := p.Get("Method")
	method, _ := mv.(string)
	method = strings.ToUpper(method)
	if !methods[method] {
		return nil, nil, fmt.Errorf("method %v must be one of GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD", jsonv.String(mv))
	}
	qv, _ := p.Get("QueryParameters")
	q, err := queryValues(qv)
	if err != nil {
		return nil, nil, err
	}
	if len(q) > 0 {
		existing := u.Query()
		for k, vs := range q {
			existing[k] = append(existing[k], vs...)
		}
		u.RawQuery = existing.Encode()
	}

	var body io.Reader
	contentType := ""
	if b, ok := p.Get("RequestBody"); ok {
		encoding, format, err := transform(p)
		if err != nil {
			return nil, nil, err
		}
		if encoding == "URL_ENCODED" {
			s, err := URLEncode(b, format)
			if err != nil {
				return nil, nil, err
			}
			body, contentType = strings.NewReader(s), "application/x-www-form-urlencoded"
		} else {
			body, contentType = bytes.NewReader(jsonv.Marshal(b)), "application/json; charset=UTF-8"
		}
	}
	hreq, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, nil, fmt.Errorf("building the request: %w", err)
	}
	hv, _ := p.Get("Headers")
	hs, err := headerValues(hv)
	if err != nil {
		return nil, nil, fmt.Errorf("field Headers: %w", err)
	}
	if contentType != "" {
		hreq.Header.Set("Content-Type", contentType)
	}
	hreq.Header.Set("User-Agent", "Stepwise HTTP task")
	for _, h := range hs {
		if forbiddenHeaders[strings.ToLower(h[0])] {
			return nil, nil, fmt.Errorf("field Headers: %q may not be set by a task", h[0])
		}
		hreq.Header.Add(h[0], h[1])
	}

	var conn *registry.Connection
	if av, ok := p.Get("Authentication"); ok {
		ao, ok := av.(*jsonv.Object)
		if !ok {
			return nil, nil, errors.New("field Authentication must be an object with ConnectionArn")
		}
		cv, _ := ao.Get("ConnectionArn")
		cs, ok := cv.(string)
		if !ok {
			return nil, nil, errors.New("Authentication.ConnectionArn must be a string")
		}
		arn, err := ParseConnectionARN(cs)
		if err != nil {
			return nil, nil, err
		}
		if in.Registry == nil {
			return nil, nil, fmt.Errorf("connection %q is not registered (no connection registry is configured)", arn.Name)
		}
		c, err := in.Registry.GetConnection(ctx, arn.Name)
		if err != nil {
			if errors.Is(err, registry.ErrNotFound) {
				return nil, nil, fmt.Errorf("connection %q is not registered: create it on the Connections page (/connections) or with PUT /api/connections/%s", arn.Name, arn.Name)
			}
			return nil, nil, fmt.Errorf("looking up connection %q: %w", arn.Name, err)
		}
		conn = &c
	}
	return hreq, conn, nil
}

// redactedEndpoint keeps an invalid endpoint short in messages.
func redactedEndpoint(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func transform(p *jsonv.Object) (string, ArrayFormat, error) {
	tv, ok := p.Get("Transform")
	if !ok {
		return "NONE", ArrayIndices, nil
	}
	t, ok := tv.(*jsonv.Object)
	if !ok {
		return "", "", errors.New("field Transform must be an object")
	}
	encoding := "NONE"
	if ev, ok := t.Get("RequestBodyEncoding"); ok {
		s, _ := ev.(string)
		if s != "NONE" && s != "URL_ENCODED" {
			return "", "", fmt.Errorf("Transform.RequestBodyEncoding %s must be NONE or URL_ENCODED", jsonv.String(ev))
		}
		encoding = s
	}
	format := ArrayIndices
	if ov, ok := t.Get("RequestEncodingOptions"); ok {
		o, ok := ov.(*jsonv.Object)
		if !ok {
			return "", "", errors.New("Transform.RequestEncodingOptions must be an object")
		}
		if fv, ok := o.Get("ArrayFormat"); ok {
			s, _ := fv.(string)
			switch ArrayFormat(s) {
			case ArrayBrackets, ArrayCommas, ArrayRepeat, ArrayIndices:
				format = ArrayFormat(s)
			default:
				return "", "", fmt.Errorf("Transform.RequestEncodingOptions.ArrayFormat %s must be BRACKETS, COMMAS, REPEAT or INDICES", jsonv.String(fv))
			}
		}
	}
	return encoding, format, nil
}

// responseObject is AWS's HTTP task output: Headers (lower-case names →
// arrays of values), ResponseBody (parsed when JSON, else text),
// StatusCode and StatusText.
func responseObject(resp *http.Response, body []byte) *jsonv.Object {
	headers := jsonv.NewObject(len(resp.Header))
	names := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vals := make([]any, 0, len(resp.Header[k]))
		for _, v := range resp.Header[k] {
			vals = append(vals, v)
		}
		headers.Set(strings.ToLower(k), vals)
	}
	var rb any = string(body)
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil &&
		(mt == "application/json" || strings.HasSuffix(mt, "+json")) && len(body) > 0 {
		if v, err := jsonv.Decode(body); err == nil {
			rb = v
		}
	}
	text := http.StatusText(resp.StatusCode)
	if _, after, ok := strings.Cut(resp.Status, " "); ok && after != "" {
		text = after
	}
	return jsonv.ObjectOf("Headers", headers, "ResponseBody", rb,
		"StatusCode", jsonv.Number(int64(resp.StatusCode)), "StatusText", text)
}

// stripOnCrossHostRedirect returns a copy of cl that drops the connection's
// credential headers when a redirect leaves the original host. Go drops
// Authorization and cookies itself, but not an API key's custom header or
// the connection's extra headers.
func stripOnCrossHostRedirect(cl *http.Client, c *registry.Connection) *http.Client {
	cp := *cl
	next := cl.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if next != nil {
			if err := next(req, via); err != nil {
				return err
			}
		}
		if !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
			req.Header.Del("Authorization")
			if c.AuthType == registry.AuthAPIKey {
				req.Header.Del(c.APIKeyName)
			}
			for k := range c.Headers {
				req.Header.Del(k)
			}
		}
		return nil
	}
	return &cp
}
