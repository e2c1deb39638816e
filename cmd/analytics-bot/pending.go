package main

import (
	"context"
	"errors"
)

// errNotAvailable is returned by commands whose feature has not landed.
var errNotAvailable = errors.New("is not available in this build yet")

func runEval(context.Context, env, []string) error { return notAvailable("eval") }

func notAvailable(name string) error {
	return errors.New("command " + name + " " + errNotAvailable.Error())
}
