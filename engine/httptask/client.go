package httptask

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// MaxRedirects is how many redirects a request follows; each one is dialed
// through the guard again.
const MaxRedirects = 5

// ClientOptions configures NewClient.
type ClientOptions struct {
	// Timeout caps a whole request, redirects and body included (default 60 s,
	// AWS's HTTP task limit).
	Timeout time.Duration
	// Proxy is an explicit outbound proxy; nil means none (the environment's
	// HTTP_PROXY is ignored on purpose). The proxy itself is dialed through
	// the guard (allow its address), but the proxy resolves the targets, so
	// with a proxy the guard cannot check them: the proxy must enforce its
	// own egress policy.
	Proxy *url.URL
}

// NewClient returns an HTTP client whose every connection, redirects
// included, is dialed through g, following at most MaxRedirects redirects.
func NewClient(g *Guard, o ClientOptions) *http.Client {
	if g == nil {
		g = &Guard{}
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	tr := &http.Transport{
		DialContext:           g.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: o.Timeout,
	}
	if o.Proxy != nil {
		tr.Proxy = http.ProxyURL(o.Proxy)
	}
	return &http.Client{
		Transport: tr,
		Timeout:   o.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return fmt.Errorf("stopped after %d redirects", MaxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return errors.New("redirect to a non-HTTP URL " + req.URL.Redacted())
			}
			return nil
		},
	}
}
