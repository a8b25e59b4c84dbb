package httptask

import (
	"fmt"
	"net/netip"
	"strings"
)

// ParseAllowList parses an outbound allow-list as given on a command line
// or in an environment variable: comma- or space-separated entries, each a
// CIDR (10.0.0.0/8, fd00::/8), an IP (a /32 or /128), a host name
// (api.internal) or a wildcard host (*.internal). It returns a Guard with
// Allow and AllowHosts set.
func ParseAllowList(s string) (*Guard, error) {
	g := &Guard{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		switch {
		case strings.Contains(f, "/"):
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("outbound allow-list entry %q is not a CIDR like 10.0.0.0/8: %w", f, err)
			}
			g.Allow = append(g.Allow, p.Masked())
		default:
			if a, err := netip.ParseAddr(strings.Trim(f, "[]")); err == nil {
				if a.Zone() != "" {
					return nil, fmt.Errorf("outbound allow-list entry %q: give the address without a zone", f)
				}
				g.Allow = append(g.Allow, netip.PrefixFrom(a, a.BitLen()))
				continue
			}
			if !validHostPattern(f) {
				return nil, fmt.Errorf("outbound allow-list entry %q is not a CIDR, an IP address or a host name", f)
			}
			g.AllowHosts = append(g.AllowHosts, strings.ToLower(strings.TrimSuffix(f, ".")))
		}
	}
	return g, nil
}

func validHostPattern(h string) bool {
	h = strings.TrimSuffix(strings.TrimPrefix(h, "*."), ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	// An all-numeric name would be an IP spelling, which ParseIP handles.
	if _, ok := ParseIP(h); ok {
		return false
	}
	return true
}
