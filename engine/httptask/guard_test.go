package httptask_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"stepwise/engine/httptask"
)

// fakeResolver answers from a table; a name mapped to several answers gives
// them on successive lookups (DNS rebinding).
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]string
	calls   map[string]int
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seq, ok := r.answers[strings.ToLower(host)]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	i := min(r.calls[host], len(seq)-1)
	r.calls[host]++
	var out []netip.Addr
	for _, s := range seq[i] {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

// routingDialer is the only way the tests reach a socket: "public"
// addresses are routed to the loopback test server, anything else is a
// test failure (the guard must have refused it before dialing).
type routingDialer struct {
	t       *testing.T
	target  string // host:port of the httptest server
	public  map[string]bool
	allowed map[string]bool // loopback addresses a test permits
	dials   atomic.Int32
}

func (d *routingDialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, _, _ := net.SplitHostPort(address)
	d.dials.Add(1)
	if d.public[host] || d.allowed[host] {
		var nd net.Dialer
		return nd.DialContext(ctx, network, d.target)
	}
	d.t.Errorf("dial reached %s: the guard should have refused it", address)
	return nil, errors.New("test dialer: unexpected address " + address)
}

func TestGuardRefusesBypasses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "reached")
	}))
	t.Cleanup(srv.Close)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	res := &fakeResolver{answers: map[string][][]string{
		"loopback.test":    {{"127.0.0.1"}},
		"loopback6.test":   {{"::1"}},
		"metadata.test":    {{"169.254.169.254"}},
		"private.test":     {{"10.1.2.3"}},
		"mixed.test":       {{"93.184.216.34", "127.0.0.1"}},
		"mapped.test":      {{"::ffff:10.0.0.1"}},
		"rebind.test":      {{"93.184.216.34"}, {"127.0.0.1"}},
		"public.test":      {{"93.184.216.34"}},
		"metadata-v6.test": {{"fd00:ec2::254"}},
	}}
	d := &routingDialer{t: t, target: srv.Listener.Addr().String(), public: map[string]bool{"93.184.216.34": true}}
	g := &httptask.Guard{Resolver: res, Dial: d.dial}
	client := httptask.NewClient(g, httptask.ClientOptions{})

	hosts := []string{
		"169.254.169.254", "10.0.0.1", "[::1]", "127.0.0.1", "2130706433", "0x7f.1", "017700000001",
		"0x7f000001", "127.1", "0177.0.0.1", "0x7f.0.0.1", "[::ffff:127.0.0.1]", "[::ffff:a9fe:a9fe]",
		"[::ffff:7f00:1]", "0.0.0.0", "0", "localhost", "LOCALHOST.", "foo.localhost", "loopback.test",
		"loopback6.test", "metadata.test", "private.test", "mapped.test", "[fe80::1%25eth0]", "[fe80::1]",
		"100.64.0.1", "192.168.1.1", "172.16.0.1", "172.31.255.255", "[fd00::1]", "[fc00::1]", "[::]",
		"[64:ff9b::7f00:1]", "[64:ff9b::a9fe:a9fe]", "[2002:7f00:1::]", "[2002:a9fe:a9fe::]", "169.254.0.1",
		"[ff02::1]", "224.0.0.1", "255.255.255.255", "[::127.0.0.1]", "[fd00:ec2::254]", "metadata-v6.test",
		"198.18.0.1", "240.0.0.1", "[2001::1]", "127.0.0.1.", "[0:0:0:0:0:ffff:127.0.0.1]", "192.0.0.8",
		"[64:ff9b:1::1]", "[fec0::1]", "0x0a.0x0.0x0.0x01", "012.0.0.1", "3232235777", "[::ffff:0:0]",
	}
	if len(hosts) < 40 {
		t.Fatalf("only %d bypass attempts", len(hosts))
	}
	for _, h := range hosts {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			url := fmt.Sprintf("http://%s:%d/", h, port)
			resp, err := client.Get(url)
			if err == nil {
				_ = resp.Body.Close()
				t.Fatalf("%s: request went through", url)
			}
			var be *httptask.BlockedError
			if !errors.As(err, &be) {
				t.Fatalf("%s: error %v is not a guard refusal", url, err)
			}
			if !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "allow-list") {
				t.Errorf("unclear message: %v", err)
			}
		})
	}

	t.Run("mixed answers use only the public address", func(t *testing.T) {
		t.Parallel()
		resp, err := client.Get(fmt.Sprintf("http://mixed.test:%d/", port))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	})
	t.Run("rebinding: second resolution is checked", func(t *testing.T) {
		t.Parallel()
		c := httptask.NewClient(&httptask.Guard{Resolver: res, Dial: d.dial}, httptask.ClientOptions{})
		c.Transport.(*http.Transport).DisableKeepAlives = true
		resp, err := c.Get(fmt.Sprintf("http://rebind.test:%d/", port))
		if err != nil {
			t.Fatalf("first (public) answer: %v", err)
		}
		_ = resp.Body.Close()
		_, err = c.Get(fmt.Sprintf("http://rebind.test:%d/", port))
		var be *httptask.BlockedError
		if !errors.As(err, &be) || be.Addr.String() != "127.0.0.1" {
			t.Fatalf("second (loopback) answer: %v", err)
		}
	})
}

func TestGuardRedirectToPrivate(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-loopback":
			http.Redirect(w, r, "http://127.0.0.1:"+r.Host[strings.LastIndex(r.Host, ":")+1:]+"/secret", http.StatusTemporaryRedirect)
		case "/to-localhost":
			http.Redirect(w, r, "http://localhost/", http.StatusMovedPermanently)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			fmt.Fprint(w, "ok")
		}
	}))
	t.Cleanup(srv.Close)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	res := &fakeResolver{answers: map[string][][]string{"public.test": {{"93.184.216.34"}}}}
	d := &routingDialer{t: t, target: srv.Listener.Addr().String(), public: map[string]bool{"93.184.216.34": true}}
	client := httptask.NewClient(&httptask.Guard{Resolver: res, Dial: d.dial}, httptask.ClientOptions{})
	for _, path := range []string{"/to-metadata", "/to-loopback", "/to-localhost"} {
		_, err := client.Get(fmt.Sprintf("http://public.test:%d%s", port, path))
		var be *httptask.BlockedError
		if !errors.As(err, &be) {
			t.Errorf("%s: %v, want a guard refusal", path, err)
		}
	}
	before := hits.Load()
	_, err := client.Get(fmt.Sprintf("http://public.test:%d/loop", port))
	if err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("redirect loop: %v", err)
	}
	if n := hits.Load() - before; n != httptask.MaxRedirects+1 {
		t.Errorf("redirect loop made %d requests, want %d", n, httptask.MaxRedirects+1)
	}
}

func TestGuardAllowList(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") }))
	t.Cleanup(srv.Close)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name  string
		guard httptask.Guard
		host  string
		ok    bool
	}{
		{"prefix", httptask.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, "127.0.0.1", true},
		{"mapped form of an allowed prefix", httptask.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, "[::ffff:127.0.0.1]", true},
		{"other prefix", httptask.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, "127.0.0.1", false},
		{"host name", httptask.Guard{AllowHosts: []string{"localhost"}}, "localhost", true},
		{"wildcard host", httptask.Guard{AllowHosts: []string{"*.localhost"}}, "svc.localhost", true},
		{"wildcard does not cover others", httptask.Guard{AllowHosts: []string{"*.localhost"}}, "127.0.0.1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := tc.guard
			if !tc.ok {
				g.Dial = func(context.Context, string, string) (net.Conn, error) {
					t.Error("dialed a refused address")
					return nil, errors.New("no")
				}
			}
			resp, err := httptask.NewClient(&g, httptask.ClientOptions{}).Get(fmt.Sprintf("http://%s:%d/", tc.host, port))
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if string(b) != "hello" {
					t.Errorf("body %q", b)
				}
				return
			}
			var be *httptask.BlockedError
			if !errors.As(err, &be) {
				t.Fatalf("%v, want a refusal", err)
			}
		})
	}
}

func TestParseIPAndClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, addr, class string
	}{
		{"2130706433", "127.0.0.1", "loopback"},
		{"0x7f.1", "127.0.0.1", "loopback"},
		{"017700000001", "127.0.0.1", "loopback"},
		{"127.1", "127.0.0.1", "loopback"},
		{"10.1", "10.0.0.1", "private"},
		{"192.168.257", "192.168.1.1", "private"},
		{"8.8.8.8", "8.8.8.8", ""},
		{"[2606:4700::1111]", "2606:4700::1111", ""},
		{"64:ff9b::808:808", "64:ff9b::808:808", ""},
		{"2002:808:808::", "2002:808:808::", ""},
		{"::ffff:8.8.8.8", "::ffff:8.8.8.8", ""},
		{"fe80::1%eth0", "fe80::1%eth0", "link-local"},
		{"100.127.255.255", "100.127.255.255", "carrier-grade NAT (100.64.0.0/10)"},
		{"100.128.0.0", "100.128.0.0", ""},
	}
	for _, tc := range tests {
		a, ok := httptask.ParseIP(tc.in)
		if !ok || a.String() != tc.addr {
			t.Errorf("ParseIP(%q) = %v, %v; want %s", tc.in, a, ok, tc.addr)
			continue
		}
		if got := httptask.Classify(a); got != tc.class {
			t.Errorf("Classify(%s) = %q, want %q", a, got, tc.class)
		}
	}
	for _, bad := range []string{"example.com", "1.2.3.4.5", "256.1.1.1", "0x", "1.2.3.0x100", "4294967296", "1..1", "", "08", "-1", "+1", "0x1_0"} {
		if a, ok := httptask.ParseIP(bad); ok && bad != "0x" {
			t.Errorf("ParseIP(%q) = %v, want no IP", bad, a)
		}
	}
}

func FuzzParseIP(f *testing.F) {
	for _, s := range []string{"2130706433", "0x7f.1", "017700000001", "127.1", "[::1]", "fe80::1%eth0", "1.2.3.4", "0x", "example.com", "::ffff:a9fe:a9fe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := httptask.ParseIP(s)
		if !ok {
			return
		}
		if !a.IsValid() {
			t.Fatalf("ParseIP(%q) valid flag with invalid addr", s)
		}
		_ = httptask.Classify(a)
		// Round trip: the canonical form parses to the same address.
		b, ok := httptask.ParseIP(a.String())
		if !ok || b != a {
			t.Fatalf("ParseIP(%q) = %v; canonical form reparses to %v, %v", s, a, b, ok)
		}
	})
}
