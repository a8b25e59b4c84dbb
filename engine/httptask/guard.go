package httptask

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Resolver looks up the addresses of a host name; *net.Resolver fits.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard is the outbound dialer of HTTP tasks and functions. It resolves the
// host itself, refuses every non-public address not in the allow-list, and
// dials the checked address — so what is checked is what is dialed (DNS
// rebinding cannot slip a second answer in). Every dial goes through it,
// redirects included. The zero value refuses all non-public addresses and
// uses the system resolver and a plain net.Dialer.
type Guard struct {
	// Allow lists networks that may be dialed even though they are not
	// public (e.g. 10.0.0.0/8 for services on the LAN, 127.0.0.1/32).
	Allow []netip.Prefix
	// AllowHosts lists host names (exact, case-insensitive, or "*.suffix")
	// whose resolved addresses are not checked.
	AllowHosts []string
	// Resolver defaults to net.DefaultResolver.
	Resolver Resolver
	// Dial connects to an already-checked "ip:port"; it defaults to a
	// net.Dialer whose Control checks the socket's address once more.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// DialTimeout bounds one connection attempt (default 10 s).
	DialTimeout time.Duration
}

// BlockedError is a refusal by the guard; the message names the host, the
// address, why it is refused and how to allow it.
type BlockedError struct {
	Host   string
	Addr   netip.Addr
	Reason string
}

func (e *BlockedError) Error() string {
	host := e.Host
	if host != e.Addr.String() {
		host = fmt.Sprintf("%s (resolved to %s)", e.Host, e.Addr)
	}
	return fmt.Sprintf("outbound request to %s refused: %s address; add it to the outbound allow-list to permit it", host, e.Reason)
}

// DialContext resolves, checks and dials address ("host:port").
func (g *Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("outbound dial %q: %w", address, err)
	}
	addrs, err := g.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, a := range addrs {
		if !g.hostAllowed(host) {
			if reason := g.refuse(a); reason != "" {
				if firstErr == nil {
					firstErr = &BlockedError{Host: host, Addr: a, Reason: reason}
				}
				continue
			}
		}
		c, err := g.dial(ctx, network, net.JoinHostPort(a.WithZone("").String(), port), host)
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("outbound dial %q: no address", host)
	}
	return nil, firstErr
}

// Check reports the guard's refusal of host (a name or IP literal in any
// spelling) without dialing: nil when every resolved address may be dialed.
func (g *Guard) Check(ctx context.Context, host string) error {
	addrs, err := g.resolve(ctx, host)
	if err != nil {
		return err
	}
	if g.hostAllowed(host) {
		return nil
	}
	for _, a := range addrs {
		if reason := g.refuse(a); reason != "" {
			return &BlockedError{Host: host, Addr: a, Reason: reason}
		}
	}
	return nil
}

func (g *Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	h := strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if a, ok := ParseIP(h); ok {
		return []netip.Addr{a}, nil
	}
	if h == "" {
		return nil, fmt.Errorf("outbound dial: empty host")
	}
	// "localhost" and its subdomains are loopback by definition (RFC 6761)
	// whatever a resolver says.
	lh := strings.ToLower(h)
	if lh == "localhost" || strings.HasSuffix(lh, ".localhost") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", h)
	if err != nil {
		return nil, fmt.Errorf("outbound dial: resolving %q: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("outbound dial: %q resolves to no address", host)
	}
	return addrs, nil
}

func (g *Guard) hostAllowed(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	for _, a := range g.AllowHosts {
		a = strings.ToLower(a)
		if a == h || (strings.HasPrefix(a, "*.") && strings.HasSuffix(h, a[1:])) {
			return true
		}
	}
	return false
}

// refuse returns why a is refused, or "" when it may be dialed.
func (g *Guard) refuse(a netip.Addr) string {
	reason := Classify(a)
	if reason == "" {
		return ""
	}
	for _, p := range g.Allow {
		if p.Contains(a.WithZone("")) || (a.Is4In6() && p.Contains(a.Unmap())) {
			return ""
		}
	}
	return reason
}

func (g *Guard) dial(ctx context.Context, network, address, host string) (net.Conn, error) {
	if g.Dial != nil {
		return g.Dial(ctx, network, address)
	}
	timeout := g.DialTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	d := net.Dialer{Timeout: timeout, Control: func(_, addr string, _ syscall.RawConn) error {
		// A second look at the socket's own address: nothing but the
		// checked address should reach here, but a check costs nothing.
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return fmt.Errorf("outbound dial: unexpected address %q", addr)
		}
		if reason := g.refuse(ap.Addr()); reason != "" && !g.hostAllowed(host) {
			return &BlockedError{Host: host, Addr: ap.Addr(), Reason: reason}
		}
		return nil
	}}
	c, err := d.DialContext(ctx, network, address)
	if err != nil {
		var be *BlockedError
		if errors.As(err, &be) {
			return nil, be
		}
		return nil, fmt.Errorf("outbound dial %s (%s): %w", host, address, err)
	}
	return c, nil
}
