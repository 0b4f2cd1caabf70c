// Package httpx adapts error-returning handlers to net/http and decodes
// request bodies into small command structs.
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
)

// Handler is an HTTP handler that reports failure by returning an error.
type Handler func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP implements http.Handler.
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
	log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// StatusError is returned by handlers to choose the response status.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Msg) }

// Status builds a StatusError.
func Status(code int, format string, args ...any) error {
	return &StatusError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Command is a decoded request body.
type Command interface {
	Validate() error
}

// Decode reads a JSON body into cmd and validates it.
func Decode(r *http.Request, cmd Command) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cmd); err != nil {
		return Status(http.StatusBadRequest, "malformed body: %v", err)
	}
	if err := cmd.Validate(); err != nil {
		return Status(http.StatusUnprocessableEntity, "%v", err)
	}
	return nil
}

// JSON writes v with status code.
func JSON(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(v)
}
