package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"stepwise/engine"
	"stepwise/engine/function"
	"stepwise/engine/httptask"
	"stepwise/engine/sqlite"
	"stepwise/server"
)

const serveUsage = `Usage: stepwise [serve] [--addr ADDR] [--db FILE] [--region R] [--account ID]
                      [--synchronous FULL|NORMAL] [--outbound-allow LIST] [--log-format text|json]

Runs the web app and the AWS-compatible API until interrupted. In-flight
executions keep their state in the database and continue after a restart.

Environment: STEPWISE_ADDR, STEPWISE_DB and STEPWISE_OUTBOUND_ALLOW set the defaults
of --addr, --db and --outbound-allow.
`

// serveConfig is what `stepwise serve` runs with.
type serveConfig struct {
	Addr, DB, Region, Account, Synchronous, DraftSynchronous string
	LogFormat                                                string
	// OutboundAllow lists the private addresses and host names that HTTP
	// tasks and functions may reach (everything private is refused
	// otherwise).
	OutboundAllow string
}

func parseServeFlags(args []string, stderr io.Writer, getenv func(string) string) (serveConfig, error) {
	cfg := serveConfig{Addr: "127.0.0.1:8080", DB: "stepwise.db"}
	if v := getenv("STEPWISE_ADDR"); v != "" {
		cfg.Addr = v
	}
	if v := getenv("STEPWISE_DB"); v != "" {
		cfg.DB = v
	}
	cfg.OutboundAllow = getenv("STEPWISE_OUTBOUND_ALLOW")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage) }
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "SQLite database file")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "AWS region in ARNs")
	fs.StringVar(&cfg.Account, "account", "123456789012", "AWS account id in ARNs")
	fs.StringVar(&cfg.Synchronous, "synchronous", "FULL", "SQLite synchronous setting: FULL or NORMAL")
	fs.StringVar(&cfg.DraftSynchronous, "draft-synchronous", "NORMAL", "SQLite synchronous setting of the designer's draft edits: NORMAL (durable at once across a crash of the process, across a power loss within half a second) or FULL")
	fs.StringVar(&cfg.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&cfg.OutboundAllow, "outbound-allow", cfg.OutboundAllow,
		"private CIDRs and host names (*.suffix) HTTP tasks and functions may reach, comma-separated")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stepwise serve: unexpected argument %q\n", fs.Arg(0))
		return cfg, flag.ErrHelp
	}
	if _, err := httptask.ParseAllowList(cfg.OutboundAllow); err != nil {
		fmt.Fprintf(stderr, "stepwise serve: --outbound-allow: %v\n", err)
		return cfg, flag.ErrHelp
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		fmt.Fprintf(stderr, "stepwise serve: --log-format must be text or json, not %q\n", cfg.LogFormat)
		return cfg, flag.ErrHelp
	}
	return cfg, nil
}

func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServeFlags(args, stderr, os.Getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 2
		}
		return 2
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if cfg.LogFormat == "json" {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	logger := slog.New(handler)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		logger.Error("listen", "addr", cfg.Addr, "err", err)
		return 1
	}
	if err := serve(ctx, cfg, ln, stdout, logger); err != nil {
		logger.Error("serve", "err", err)
		return 1
	}
	return 0
}

// serve wires the store, the engine and the server and serves on ln until ctx
// is done; then it shuts down gracefully: the server drains, the engine
// stops (running executions stay RUNNING in the database and continue at the
// next start), and the store closes.
func serve(ctx context.Context, cfg serveConfig, ln net.Listener, stdout io.Writer, logger *slog.Logger) error {
	store, err := sqlite.Open(ctx, cfg.DB, sqlite.Options{Synchronous: cfg.Synchronous, DraftSynchronous: cfg.DraftSynchronous})
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("open database %s: %w", cfg.DB, err)
	}
	defer func() { _ = store.Close() }()

	guard, err := httptask.ParseAllowList(cfg.OutboundAllow)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("--outbound-allow: %w", err)
	}
	reg := store.Registry()
	metrics := server.NewMetrics()
	// The hub streams committed events to the live execution views; it
	// replays from the store what a reconnecting browser missed.
	hub := server.NewHub(store, server.HubOptions{Logger: logger})
	defer hub.Close()
	eng := engine.New(engine.Options{
		Store:     store,
		Logger:    logger,
		Publisher: metrics.Publisher(hub),
		// Tried in order. Functions come before callbacks, so that
		// lambda:invoke.waitForTaskToken calls the function first; any other
		// .waitForTaskToken task waits for SendTaskSuccess/Failure.
		Integrations: []engine.Integration{
			&function.Integration{Registry: reg, Guard: guard, Region: cfg.Region, Account: cfg.Account},
			&httptask.Integration{Registry: reg, Guard: guard},
			engine.CallbackIntegration{},
		},
		Region:  cfg.Region,
		Account: cfg.Account,
	})
	if err := eng.Start(ctx); err != nil {
		_ = ln.Close()
		return fmt.Errorf("start engine: %w", err)
	}
	defer eng.Stop()

	srv, err := server.New(server.Config{Addr: ln.Addr().String(), Region: cfg.Region, Account: cfg.Account, Metrics: metrics, Integrations: reg, Hub: hub},
		server.NewEngineAdapter(eng).WithDraftStore(store.Drafts()).WithMetrics(ctx, metrics), logger)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("create server: %w", err)
	}
	abs, _ := filepath.Abs(cfg.DB)
	fmt.Fprintf(stdout, "Stepwise is serving on http://%s (database %s)\n", ln.Addr(), abs)
	logger.Info("serving", "addr", ln.Addr().String(), "db", abs)
	return srv.Serve(ctx, ln)
}

// openStore opens the SQLite store for `stepwise run --db`.
func openStore(ctx context.Context, path string) (engine.Store, error) {
	return sqlite.Open(ctx, path, sqlite.Options{})
}
