package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"stepwise/engine"
	"stepwise/engine/jsonv"
)

const runUsage = `usage: stepwise run [--input JSON | --input-file F] [--type STANDARD|EXPRESS]
                    [--mock-config F --test-case NAME] [--db F] [--history] [--name NAME]
                    [--skip-waits] FILE

Runs one execution of the state machine in FILE (JSON or YAML) to its end and
prints {"status", "output", "error", "cause"} (keys AWS would not report are
absent); --history adds "history", the events as GetExecutionHistory returns
them. The machine is named after FILE without .asl.json, .json or .yaml,
unless --name is given. Task states are answered by the test case --test-case
of the MockConfigFile --mock-config (AWS Step Functions Local's format).
--skip-waits runs on a simulated clock: Wait states, retry intervals and
timeouts end at once, and timestamps advance as if they had passed.
Exit status: 0 when the execution SUCCEEDED, 1 otherwise, 2 on usage errors.
`

// runOptions are the parts of `stepwise run` a caller (main, tests) injects.
type runOptions struct {
	// OpenStore opens the store for --db PATH; nil means --db is not
	// available in this build. Without --db a memory store is used.
	OpenStore func(ctx context.Context, path string) (engine.Store, error)
	// Clock is the engine clock; nil for the wall clock.
	Clock engine.Clock
}

// machineName derives a state machine name from a file name.
func machineName(file string) string {
	base := filepath.Base(file)
	for _, ext := range []string{".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml"} {
		if strings.HasSuffix(base, ext) && len(base) > len(ext) {
			return strings.TrimSuffix(base, ext)
		}
	}
	return base
}

// runCommandWith runs `stepwise run` with the given options and returns the
// exit code.
func runCommandWith(ctx context.Context, args []string, stdout, stderr io.Writer, opts runOptions) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, runUsage) }
	input := fs.String("input", "", "execution input (JSON)")
	inputFile := fs.String("input-file", "", "file holding the execution input")
	typ := fs.String("type", "STANDARD", "state machine type: STANDARD or EXPRESS")
	mockConfig := fs.String("mock-config", "", "MockConfigFile answering Task states")
	testCase := fs.String("test-case", "", "test case of the mock config to run")
	db := fs.String("db", "", "database file (default: a temporary one)")
	history := fs.Bool("history", false, "include the execution history")
	name := fs.String("name", "", "state machine name (default: from FILE)")
	skipWaits := fs.Bool("skip-waits", false, "let Wait states, retry intervals and timeouts pass at once (a simulated clock)")
	// Flags may come before or after FILE, as with `stepwise validate`.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "stepwise run: "+format+"\n", a...)
		fmt.Fprint(stderr, runUsage)
		return 2
	}
	if len(files) != 1 {
		return usage("want exactly one FILE, got %d", len(files))
	}
	file := files[0]
	if *input != "" && *inputFile != "" {
		return usage("--input and --input-file exclude each other")
	}
	if (*mockConfig == "") != (*testCase == "") {
		return usage("--mock-config and --test-case go together")
	}
	t := engine.Type(strings.ToUpper(*typ))
	if t != engine.Standard && t != engine.Express {
		return usage("--type must be STANDARD or EXPRESS, not %q", *typ)
	}
	def, err := os.ReadFile(file)
	if err != nil {
		return usage("%v", err)
	}
	in := "{}"
	if *input != "" {
		in = *input
	}
	if *inputFile != "" {
		b, err := os.ReadFile(*inputFile)
		if err != nil {
			return usage("%v", err)
		}
		in = string(b)
	}
	if _, err := jsonv.DecodeString(in); err != nil {
		return usage("the input is not valid JSON: %v", err)
	}
	smName := *name
	if smName == "" {
		smName = machineName(file)
	}
	var integrations []engine.Integration
	if *mockConfig != "" {
		data, err := os.ReadFile(*mockConfig)
		if err != nil {
			return usage("%v", err)
		}
		cfg, err := engine.ParseMockConfig(data)
		if err != nil {
			return usage("%s: %v", *mockConfig, err)
		}
		cases, ok := cfg.StateMachines[smName]
		if !ok {
			return usage("%s has no state machine %q (the machine is named after the file; use --name)", *mockConfig, smName)
		}
		if _, ok := cases[*testCase]; !ok {
			return usage("%s has no test case %q for state machine %q", *mockConfig, *testCase, smName)
		}
		integrations = append(integrations, &engine.MockIntegration{Config: cfg})
	}
	var store engine.Store = engine.NewMemStore()
	switch {
	case *db != "" && opts.OpenStore == nil:
		return usage("--db is not available in this build")
	case *db == "" && opts.OpenStore != nil:
		// Without --db the execution runs on a temporary database, so it
		// takes the same durable path as under --db.
		tmp, err := os.MkdirTemp("", "stepwise-run-")
		if err != nil {
			fmt.Fprintf(stderr, "stepwise run: temporary database: %v\n", err)
			return 1
		}
		defer func() { _ = os.RemoveAll(tmp) }()
		*db = filepath.Join(tmp, "stepwise.db")
	}
	if *db != "" {
		store, err = opts.OpenStore(ctx, *db)
		if err != nil {
			fmt.Fprintf(stderr, "stepwise run: open %s: %v\n", *db, err)
			return 1
		}
	}
	defer func() { _ = store.Close() }()

	clock := opts.Clock
	if *skipWaits && clock == nil {
		clock = engine.NewFakeClock(time.Now().UTC(), true)
	}
	e := engine.New(engine.Options{Store: store, Clock: clock, Integrations: integrations, ExpressHistory: *history})
	if err := e.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "stepwise run: %v\n", err)
		return 1
	}
	defer e.Stop()
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: smName, Definition: string(def), Type: t,
		RoleARN: "arn:aws:iam::" + e.ARNs().Account + ":role/stepwise"})
	if err != nil {
		if engine.ErrorCode(err) == engine.InvalidDefinition || engine.ErrorCode(err) == engine.InvalidName {
			fmt.Fprintf(stderr, "stepwise run: %s: %s\n", file, engine.ErrorMessage(err))
			return 2
		}
		fmt.Fprintf(stderr, "stepwise run: %v\n", err)
		return 1
	}
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Input: in, TestCase: *testCase})
	if err != nil {
		fmt.Fprintf(stderr, "stepwise run: %v\n", err)
		return 1
	}
	x, err = e.Wait(ctx, x.ARN)
	if err != nil {
		fmt.Fprintf(stderr, "stepwise run: %v\n", err)
		return 1
	}
	out := []byte(`{"status":`)
	out = jsonv.AppendString(out, string(x.Status))
	if x.HasOutput {
		out = append(out, `,"output":`...)
		out = append(out, x.Output...)
	}
	if x.HasError {
		out = append(out, `,"error":`...)
		out = jsonv.AppendString(out, x.Error)
	}
	if x.HasCause {
		out = append(out, `,"cause":`...)
		out = jsonv.AppendString(out, x.Cause)
	}
	if *history {
		out = append(out, `,"history":[`...)
		tok := ""
		first := true
		for {
			evs, next, err := e.GetExecutionHistory(ctx, x.ARN, engine.HistoryQuery{Page: engine.Page{Limit: 1000, NextToken: tok}}, true)
			if err != nil {
				fmt.Fprintf(stderr, "stepwise run: history: %v\n", err)
				return 1
			}
			for _, ev := range evs {
				if !first {
					out = append(out, ',')
				}
				first = false
				out = append(out, engine.HistoryEventJSON(ev)...)
			}
			if next == "" {
				break
			}
			tok = next
		}
		out = append(out, ']')
	}
	out = append(out, '}', '\n')
	if _, err := stdout.Write(out); err != nil {
		return 1
	}
	if x.Status != engine.Succeeded {
		return 1
	}
	return 0
}
