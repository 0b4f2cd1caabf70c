// Package statuses maps errors to HTTP statuses in a table of unnamed
// structs: small numbers that are no lifetime of any KV operation, even
// though another package reads a lifetime from an unnamed struct too.
package statuses

import (
	"errors"
	"net/http"
)

var ErrGone = errors.New("gone")

var table = []struct {
	err    error
	status int
}{
	{ErrGone, http.StatusGone},
	{errors.ErrUnsupported, http.StatusNotImplemented},
}

// Of returns the status for err.
func Of(err error) int {
	for _, e := range table {
		if errors.Is(err, e.err) {
			return e.status
		}
	}
	return http.StatusInternalServerError
}
