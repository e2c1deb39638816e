package main

import (
	"context"
	"fmt"
	"runtime"
)

func runVersion(_ context.Context, e env, args []string) error {
	fs := newFlagSet(e, "version", "version\n\nPrints the version.")
	if helped, err := parseFlags(fs, e, args); helped || err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "analytics-bot %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
