package httptask_test

import (
	"context"
	"fmt"
	"testing"

	"stepwise/engine/httptask"
)

func TestParseAllowList(t *testing.T) {
	t.Parallel()
	g, err := httptask.ParseAllowList("10.0.0.0/8, 127.0.0.1 ::1,api.internal *.svc.local [fd00::1]")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(g.Allow, g.AllowHosts); got != "[10.0.0.0/8 127.0.0.1/32 ::1/128 fd00::1/128] [api.internal *.svc.local]" {
		t.Errorf("got %s", got)
	}
	ctx := context.Background()
	for _, host := range []string{"10.2.3.4", "127.0.0.1", "[::1]", "0x7f.1", "[fd00::1]"} {
		if err := g.Check(ctx, host); err != nil {
			t.Errorf("%s refused: %v", host, err)
		}
	}
	for _, host := range []string{"127.0.0.2", "[fd00::2]", "169.254.169.254", "192.168.0.1"} {
		if err := g.Check(ctx, host); err == nil {
			t.Errorf("%s allowed", host)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "bad!host", "-x.example", "fe80::1%eth0", "127.1/8x", "a..b", "*."} {
		if _, err := httptask.ParseAllowList(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if g, err := httptask.ParseAllowList(""); err != nil || len(g.Allow)+len(g.AllowHosts) != 0 {
		t.Errorf("empty list: %v %v", g, err)
	}
}

func FuzzParseAllowList(f *testing.F) {
	f.Add("10.0.0.0/8, 127.0.0.1 ::1,api.internal *.svc.local")
	f.Add("[fd00::1],0x7f.1")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := httptask.ParseAllowList(s)
		if err != nil {
			return
		}
		for _, p := range g.Allow {
			if !p.IsValid() {
				t.Fatalf("%q gave invalid prefix %v", s, p)
			}
		}
	})
}
