// Package apperr defines the error values shared by the paddock services and
// the HTTP status each one maps to.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Domain sentinels. Repositories wrap these with %w so that callers can use
// errors.Is without knowing which adapter produced the failure.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
	ErrTooMany      = errors.New("too many requests")
	ErrExpired      = errors.New("expired")
	ErrInvalid      = errors.New("invalid request")
)

// APIError is an error that knows how it should be presented to a client.
type APIError struct {
	Status int    // HTTP status code
	Code   string // stable machine-readable code
	Msg    string // human-readable message
	Err    error  // underlying cause, if any
}

func (e *APIError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return e.Code + ": " + e.Msg
}

func (e *APIError) Unwrap() error { return e.Err }

// New builds an APIError.
func New(status int, code, msg string) *APIError {
	return &APIError{Status: status, Code: code, Msg: msg}
}

// Wrap attaches a client-facing code and status to err.
func Wrap(err error, status int, code, msg string) *APIError {
	return &APIError{Status: status, Code: code, Msg: msg, Err: err}
}

var sentinels = []struct {
	err    error
	status int
	code   string
}{
	{ErrNotFound, http.StatusNotFound, "not_found"},
	{ErrConflict, http.StatusConflict, "conflict"},
	{ErrForbidden, http.StatusForbidden, "forbidden"},
	{ErrUnauthorized, http.StatusUnauthorized, "unauthorized"},
	{ErrTooMany, http.StatusTooManyRequests, "rate_limited"},
	{ErrExpired, http.StatusGone, "expired"},
	{ErrInvalid, http.StatusBadRequest, "invalid"},
}

// Classify returns the HTTP status and stable code for err: an APIError's own,
// else the first sentinel err wraps, else 500.
func Classify(err error) (status int, code string) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status, apiErr.Code
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.status, s.code
		}
	}
	return http.StatusInternalServerError, "internal"
}
