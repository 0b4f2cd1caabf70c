// Package httpx adapts error-returning handlers to net/http and decodes
// request bodies into validated commands.
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// HandlerFunc is a handler that reports failure by returning an error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP writes the error as a JSON problem.
func (h HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h(w, r)
	if err == nil {
		return
	}
	code := http.StatusInternalServerError
	var he *HTTPError
	if errors.As(err, &he) {
		code = he.Code
	} else {
		slog.Error("handler failed", "path", r.URL.Path, "err", err)
	}
	_ = JSON(w, code, map[string]string{"error": http.StatusText(code), "detail": err.Error()})
}

// HTTPError carries a status code to the adapter.
type HTTPError struct {
	Code int
	Msg  string
}

func (e *HTTPError) Error() string { return e.Msg }

// Errorf returns an error that the adapter turns into status code.
func Errorf(code int, format string, args ...any) error {
	return &HTTPError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Validator is implemented by request commands.
type Validator interface {
	Validate() error
}

// Decode reads a JSON body into a command and validates it.
func Decode[T Validator](r *http.Request) (T, error) {
	var cmd T
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cmd); err != nil {
		return cmd, Errorf(http.StatusBadRequest, "bad body: %v", err)
	}
	if err := cmd.Validate(); err != nil {
		return cmd, Errorf(http.StatusUnprocessableEntity, "%v", err)
	}
	return cmd, nil
}

// JSON writes v with status.
func JSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
