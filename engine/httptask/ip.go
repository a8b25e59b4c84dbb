package httptask

import (
	"net/netip"
	"strconv"
	"strings"
)

// ParseIP parses an IP literal in every spelling a URL host may carry and
// some resolvers accept: dotted IPv4, IPv6 (with or without brackets and
// zone), and the inet_aton forms with fewer parts and decimal, octal
// (leading 0) or hex (0x) parts: 2130706433, 0x7f.1, 017700000001,
// 127.1. It reports false for anything else (a host name).
func ParseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSuffix(strings.Trim(s, "[]"), ".")
	if s == "" {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	return parseInetAton(s)
}

// parseInetAton is BSD inet_aton: 1-4 dot-separated parts, each decimal,
// octal or hex; the last part fills the remaining bytes.
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, ok := parseAtonPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	var n uint64
	last := len(vals) - 1
	for i := 0; i < last; i++ {
		if vals[i] > 0xff {
			return netip.Addr{}, false
		}
		n |= vals[i] << (8 * (3 - i))
	}
	if vals[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false
	}
	n |= vals[last]
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

func parseAtonPart(p string) (uint64, bool) {
	if p == "" || len(p) > 34 {
		return 0, false
	}
	base := 10
	digits := p
	switch {
	case len(p) > 1 && (p[:2] == "0x" || p[:2] == "0X"):
		base, digits = 16, p[2:]
		if digits == "" {
			return 0, true // "0x" is 0 for inet_aton
		}
	case len(p) > 1 && p[0] == '0':
		base, digits = 8, p[1:]
	}
	for _, c := range digits {
		if c == '+' || c == '-' || c == '_' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil {
		return 0, false
	}
	return v, true
}

var (
	// Non-public IPv4 ranges beyond what netip's predicates cover
	// (IANA special-purpose registry).
	blocked4 = []struct {
		p      netip.Prefix
		reason string
	}{
		{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\""},
		{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)"},
		{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
		{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
		{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
		{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
		{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
		{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	}
	blocked6 = []struct {
		p      netip.Prefix
		reason string
	}{
		{netip.MustParsePrefix("::/96"), "IPv4-compatible IPv6 (deprecated)"},
		{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
		{netip.MustParsePrefix("100::/64"), "discard-only"},
		{netip.MustParsePrefix("2001::/32"), "Teredo tunnel"},
		{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
		{netip.MustParsePrefix("2001:10::/28"), "ORCHID"},
		{netip.MustParsePrefix("fec0::/10"), "site-local"},
	}
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4  = netip.MustParsePrefix("2002::/16")
	metaV4  = netip.MustParseAddr("169.254.169.254")
	metaV6  = netip.MustParseAddr("fd00:ec2::254")
	bcastV4 = netip.MustParseAddr("255.255.255.255")
)

// Classify returns why a is not a public unicast address ("loopback",
// "private", "link-local", ...), or "" for a public one. IPv4 embedded in
// IPv6 (mapped, NAT64, 6to4) is judged by the embedded address.
func Classify(a netip.Addr) string {
	if !a.IsValid() {
		return "invalid"
	}
	a = a.WithZone("")
	if a.Is4In6() {
		if r := Classify(a.Unmap()); r != "" {
			return r + " (IPv4-mapped)"
		}
		return ""
	}
	switch {
	case a == metaV4 || a == metaV6:
		return "cloud metadata"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsMulticast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast():
		return "multicast"
	case a == bcastV4:
		return "broadcast"
	}
	if a.Is4() {
		for _, b := range blocked4 {
			if b.p.Contains(a) {
				return b.reason
			}
		}
		return ""
	}
	b16 := a.As16()
	if nat64.Contains(a) {
		if r := Classify(netip.AddrFrom4([4]byte(b16[12:16]))); r != "" {
			return r + " (NAT64)"
		}
		return ""
	}
	if sixTo4.Contains(a) {
		if r := Classify(netip.AddrFrom4([4]byte(b16[2:6]))); r != "" {
			return r + " (6to4)"
		}
		return ""
	}
	for _, b := range blocked6 {
		if b.p.Contains(a) {
			return b.reason
		}
	}
	return ""
}
