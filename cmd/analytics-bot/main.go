// Command analytics-bot answers analytics questions in Slack with an LLM
// agent that queries PostgreSQL through a read-only role.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/analytics-bot/analytics-bot/config"
)

// version is stamped by release builds (-ldflags "-X main.version=…").
var version = "dev"

// defaultMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT
// is unset: the garbage collector works harder as the heap nears it, so
// that a question's transient buffers (an 8 MB result, an export's rows)
// are returned before the process grows, even when the machine's CPUs are
// busy and the collector would otherwise run late. It is soft: a bot
// that truly needs more keeps running (the systemd unit caps it at 640 MB).
const defaultMemoryLimit = 200 << 20

func main() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// env is what a command reads from the outside world.
type env struct {
	lookup func(string) (string, bool)
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "HTTP server for Slack plus the workers that answer questions", runServe},
		{"migrate", "apply migrations and set up the read-only role (idempotent)", runMigrate},
		{"demo-data", "create and fill the demo tables: app_metrics and a product-analytics schema", runDemoData},
		{"ask", "answer one question in the terminal", runAsk},
		{"prompt", "print what the model would receive for a question", runPrompt},
		{"eval", "score the golden questions (evals/) against the configured model", runEval},
		{"knowledge", "check the knowledge files (check) or write approved verified queries as YAML (export)", runKnowledge},
		{"access", "check ACCESS_FILE and print what each data role can read (check)", runAccess},
		{"version", "print the version", runVersion},
	}
}

// errUsage marks a mistake in the command line; it exits with code 2.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	e := env{lookup: lookup, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return fmt.Errorf("%w: no command given", errUsage)
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		usage(stdout)
		return nil
	}
	if name == "--version" {
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, args[1:])
		}
	}
	usage(stderr)
	return fmt.Errorf("%w: unknown command %q", errUsage, name)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "analytics-bot: a Slack analytics chatbot. Usage: analytics-bot COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		if syn := synopsis(c); syn != "" && syn != c.name {
			fmt.Fprintf(w, "  %-10s   %s\n", "", syn)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Settings come from the environment (and SSM Parameter Store under SSM_PREFIX); see README.md.")
	fmt.Fprintln(w, "Run 'analytics-bot COMMAND --help' for a command's flags.")
}

// synopsis is the first line of a command's own --help ("ask "QUESTION"
// [--json] …"), so that the top-level help lists the flags that exist. The
// command runs with a cancelled context and an empty environment, so
// nothing it might start gets anywhere.
func synopsis(c command) string {
	var buf bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	noEnv := func(string) (string, bool) { return "", false }
	_ = c.run(ctx, env{lookup: noEnv, stdout: &buf, stderr: io.Discard}, []string{"--help"})
	line, _, _ := strings.Cut(buf.String(), "\n")
	syn, ok := strings.CutPrefix(line, "Usage: analytics-bot ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(syn)
}

// newFlagSet returns a flag set whose --help prints the command's usage to
// stdout and whose errors become usage errors.
func newFlagSet(e env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stdout)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: analytics-bot %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; --help ends the command successfully.
func parseFlags(fs *flag.FlagSet, e env, args []string) (helped bool, err error) {
	fs.SetOutput(io.Discard)
	err = fs.Parse(args)
	fs.SetOutput(e.stdout)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	return false, nil
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, context.Canceled) {
		return 130
	}
	msg := termSafe(strings.ReplaceAll(err.Error(), "\n", " ")) // server and model messages may carry escapes
	fmt.Fprintln(stderr, "analytics-bot: "+msg)
	if config.IsError(err) || errors.Is(err, errUsage) {
		return 2
	}
	return 1
}
