// Command ackload measures how fast a Slack endpoint acknowledges signed
// app_mention events, as its own process:
//
//	ackload fire --url URL --secret S [--events 2000] [--clients 32] [--batch N]
//	    sends signed events from concurrent clients and prints one JSON
//	    object: p50_ms, p99_ms, max_ms, non2xx, failed.
//	ackload floor --port P --dsn DSN --secret S
//	    the floor to compare with: plain net/http that checks the v0
//	    signature, commits one INSERT … ON CONFLICT DO NOTHING with pgx and
//	    answers 200.
//
// BenchmarkAckLoadProcesses (cmd/analytics-bot) runs both against the real
// binary in one run and prints the ratio.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ackload: "+err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: ackload fire|floor [flags]")
	}
	switch args[0] {
	case "fire":
		return runFire(ctx, args[1:], stdout)
	case "floor":
		return runFloor(ctx, args[1:], stdout)
	}
	return fmt.Errorf("unknown command %q: want fire or floor", args[0])
}
