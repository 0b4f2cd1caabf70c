package domain

import (
	"errors"
	"fmt"
	"net/http"
)

// Domain errors. Repositories wrap these with %w; handlers test with errors.Is.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("already exists")
	ErrClosed       = errors.New("closed")
	ErrExpired      = errors.New("expired")
	ErrForbidden    = errors.New("forbidden")
	ErrRateLimited  = errors.New("rate limited")
	ErrReplay       = errors.New("replayed request")
	ErrAlreadyVoted = errors.New("already voted")
	ErrExhausted    = errors.New("no uses left")
	ErrInvalid      = errors.New("invalid input")
)

// APIError is an error that knows the HTTP status it should be reported as.
type APIError struct {
	Status int    `json:"-"`
	Code   string `json:"code"`
	Msg    string `json:"message"`
	Err    error  `json:"-"`
}

func (e *APIError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return e.Code + ": " + e.Msg
}

func (e *APIError) Unwrap() error { return e.Err }

// Invalid returns a 400 APIError for a bad field.
func Invalid(field, why string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: "invalid_" + field, Msg: why, Err: ErrInvalid}
}

var statusTable = []struct {
	target error
	status int
	code   string
}{
	{ErrNotFound, http.StatusNotFound, "not_found"},
	{ErrConflict, http.StatusConflict, "conflict"},
	{ErrAlreadyVoted, http.StatusConflict, "already_voted"},
	{ErrClosed, http.StatusGone, "closed"},
	{ErrExpired, http.StatusGone, "expired"},
	{ErrForbidden, http.StatusForbidden, "forbidden"},
	{ErrRateLimited, http.StatusTooManyRequests, "rate_limited"},
	{ErrReplay, http.StatusConflict, "replay"},
	{ErrExhausted, http.StatusUnprocessableEntity, "exhausted"},
	{ErrInvalid, http.StatusBadRequest, "invalid"},
}

// AsAPIError converts any error into an APIError, keeping one that is
// already in the chain.
func AsAPIError(err error) *APIError {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	for _, row := range statusTable {
		if errors.Is(err, row.target) {
			return &APIError{Status: row.status, Code: row.code, Msg: row.target.Error(), Err: err}
		}
	}
	return &APIError{Status: http.StatusInternalServerError, Code: "internal", Msg: "internal error", Err: err}
}
