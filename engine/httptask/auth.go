package httptask

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"stepwise/engine/registry"
)

// tokenCache keeps OAuth access tokens per connection until shortly before
// they expire. The key includes the client id and endpoint so an edited
// connection does not reuse a stale token.
type tokenCache struct {
	mu     sync.Mutex
	tokens map[string]cachedToken
}

type cachedToken struct {
	token   string
	expires time.Time
}

func (tc *tokenCache) get(key string, now time.Time) (string, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	t, ok := tc.tokens[key]
	if !ok || !now.Before(t.expires) {
		return "", false
	}
	return t.token, true
}

func (tc *tokenCache) put(key, token string, expires time.Time) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.tokens == nil {
		tc.tokens = map[string]cachedToken{}
	}
	tc.tokens[key] = cachedToken{token, expires}
}

// authorize adds the connection's credentials to req. Errors never carry
// secrets: they name the connection and what went wrong.
func (in *Integration) authorize(ctx context.Context, c *registry.Connection, req *http.Request) error {
	for k, v := range c.Headers {
		if req.Header.Get(k) == "" {
			req.Header.Set(k, v)
		}
	}
	switch c.AuthType {
	case registry.AuthAPIKey:
		req.Header.Set(c.APIKeyName, c.APIKeyValue)
	case registry.AuthBasic:
		req.SetBasicAuth(c.Username, c.Password)
	case registry.AuthOAuth:
		tok, err := in.oauthToken(ctx, c)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	default:
		return fmt.Errorf("connection %q has unknown authorization type %q", c.Name, c.AuthType)
	}
	return nil
}

func oauthKey(c *registry.Connection) string {
	return c.Name + "\x00" + c.ID + "\x00" + c.AuthorizationEndpoint + "\x00" + c.ClientID
}

// oauthToken returns a cached token or fetches one with the client
// credentials grant through the guarded client.
func (in *Integration) oauthToken(ctx context.Context, c *registry.Connection) (string, error) {
	key := oauthKey(c)
	if t, ok := in.tokens.get(key, in.now()); ok {
		return t, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if c.Scope != "" {
		form.Set("scope", c.Scope)
	}
	method := strings.ToUpper(c.HTTPMethod)
	if method == "" {
		method = http.MethodPost
	}
	var req *http.Request
	var err error
	if method == http.MethodGet {
		u, perr := url.Parse(c.AuthorizationEndpoint)
		if perr != nil {
			return "", fmt.Errorf("connection %q: authorization endpoint is not a URL", c.Name)
		}
		q := u.Query()
		for k, v := range form {
			q[k] = v
		}
		u.RawQuery = q.Encode()
		req, err = http.NewRequestWithContext(ctx, method, u.String(), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, c.AuthorizationEndpoint, strings.NewReader(form.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return "", fmt.Errorf("connection %q: authorization endpoint is not a usable URL", c.Name)
	}
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))
	resp, err := in.client().Do(req)
	if err != nil {
		return "", fmt.Errorf("connection %q: fetching an OAuth token: %w", c.Name, scrubURLError(err))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("connection %q: reading the OAuth token answer: %w", c.Name, err)
	}
	if resp.StatusCode/100 != 2 {
		// The body may echo credentials; only the status is reported.
		return "", fmt.Errorf("connection %q: the authorization endpoint answered %s", c.Name, resp.Status)
	}
	var tr struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return "", fmt.Errorf("connection %q: the authorization endpoint's answer has no access_token", c.Name)
	}
	ttl := time.Hour
	var secs float64
	if len(tr.ExpiresIn) > 0 {
		s := strings.Trim(string(tr.ExpiresIn), `"`)
		if _, err := fmt.Sscanf(s, "%g", &secs); err == nil && secs > 0 {
			ttl = time.Duration(secs * float64(time.Second))
		}
	}
	// Refresh a little early so a token does not expire in flight.
	margin := min(30*time.Second, ttl/10)
	in.tokens.put(key, tr.AccessToken, in.now().Add(ttl-margin))
	return tr.AccessToken, nil
}

// scrubURLError drops the URL from a *url.Error (it may carry userinfo or
// query secrets) and keeps the cause.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
