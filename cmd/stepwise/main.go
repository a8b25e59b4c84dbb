// Command stepwise is the Stepwise binary: the web app and AWS-compatible API
// (serve, the default), and the command-line tools validate and run.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `Usage: stepwise [COMMAND] [FLAGS]

Commands:
  serve      run the web app and the AWS-compatible API (the default)
  validate   check ASL definitions: stepwise validate [--format text|json] FILE...
  run        run one execution to its end: stepwise run [flags] FILE
  help       show this help

Run 'stepwise COMMAND -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serveCommand(ctx, args, stdout, stderr)
	case "validate":
		return validateCommand(ctx, args, stdout, stderr)
	case "run":
		return runCommandWith(ctx, args, stdout, stderr, runOptions{OpenStore: openStore})
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "stepwise: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}
