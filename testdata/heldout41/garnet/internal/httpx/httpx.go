// Package httpx adapts error-returning handlers to net/http and decodes
// request bodies into validated commands.
package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
)

// Handler is an HTTP handler that reports failure by returning an error.
type Handler func(w http.ResponseWriter, r *http.Request) error

// StatusError carries an HTTP status for the client.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// Error builds a StatusError.
func Error(code int, msg string) error { return &StatusError{Code: code, Msg: msg} }

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h(w, r)
	if err == nil {
		return
	}
	var se *StatusError
	if errors.As(err, &se) {
		http.Error(w, se.Msg, se.Code)
		return
	}
	slog.Error("request failed", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// Validator is a command that can check itself.
type Validator interface {
	Validate() error
}

// Decode reads a JSON command from the body and validates it.
func Decode[T Validator](r *http.Request) (T, error) {
	var cmd T
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cmd); err != nil {
		return cmd, Error(http.StatusBadRequest, "malformed request: "+err.Error())
	}
	if err := cmd.Validate(); err != nil {
		return cmd, Error(http.StatusUnprocessableEntity, err.Error())
	}
	return cmd, nil
}

// JSON writes v with status 200.
func JSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

// ClientIP returns the connecting client's address as seen by Cloudflare.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}
