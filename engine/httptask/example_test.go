package httptask_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"stepwise/engine/httptask"
)

// The guard refuses non-public addresses in any spelling unless the
// allow-list names them.
func ExampleGuard_Check() {
	g := &httptask.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}}
	ctx := context.Background()
	fmt.Println(g.Check(ctx, "169.254.169.254"))
	fmt.Println(g.Check(ctx, "0x7f.1"))
	fmt.Println(g.Check(ctx, "[::ffff:10.2.0.1]"))
	fmt.Println(g.Check(ctx, "10.1.2.3"))
	// Output:
	// outbound request to 169.254.169.254 refused: cloud metadata address; add it to the outbound allow-list to permit it
	// outbound request to 0x7f.1 (resolved to 127.0.0.1) refused: loopback address; add it to the outbound allow-list to permit it
	// outbound request to [::ffff:10.2.0.1] (resolved to ::ffff:10.2.0.1) refused: private (IPv4-mapped) address; add it to the outbound allow-list to permit it
	// <nil>
}

func BenchmarkClassify(b *testing.B) {
	addrs := []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.0.0.1"),
		netip.MustParseAddr("2606:4700::1111"), netip.MustParseAddr("64:ff9b::7f00:1")}
	for i := 0; b.Loop(); i++ {
		_ = httptask.Classify(addrs[i%len(addrs)])
	}
}
