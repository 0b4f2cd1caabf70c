package domain

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors the use cases return; adapters wrap them with %w.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("already exists")
	ErrExpired   = errors.New("expired")
	ErrClosed    = errors.New("closed")
	ErrLocked    = errors.New("temporarily locked")
	ErrForbidden = errors.New("forbidden")
	ErrInvalid   = errors.New("invalid request")
	ErrThrottled = errors.New("too many requests")
)

// APIError carries the HTTP status a failure should be reported with.
type APIError struct {
	Status int
	Code   string
	Msg    string
	Err    error
}

func (e *APIError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return e.Code + ": " + e.Msg
}

func (e *APIError) Unwrap() error { return e.Err }

// Problem turns any error into an APIError, keeping an existing one.
func Problem(err error) *APIError {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	status, code := http.StatusInternalServerError, "internal"
	switch {
	case errors.Is(err, ErrNotFound):
		status, code = http.StatusNotFound, "not_found"
	case errors.Is(err, ErrConflict):
		status, code = http.StatusConflict, "conflict"
	case errors.Is(err, ErrExpired):
		status, code = http.StatusGone, "expired"
	case errors.Is(err, ErrClosed):
		status, code = http.StatusUnprocessableEntity, "closed"
	case errors.Is(err, ErrLocked), errors.Is(err, ErrThrottled):
		status, code = http.StatusTooManyRequests, "throttled"
	case errors.Is(err, ErrForbidden):
		status, code = http.StatusForbidden, "forbidden"
	case errors.Is(err, ErrInvalid):
		status, code = http.StatusBadRequest, "invalid"
	}
	return &APIError{Status: status, Code: code, Msg: http.StatusText(status), Err: err}
}
