package main

import (
	"errors"
)

// errNotAvailable is returned by commands whose feature has not landed.
var errNotAvailable = errors.New("is not available in this build yet")

func notAvailable(name string) error {
	return errors.New("command " + name + " " + errNotAvailable.Error())
}
