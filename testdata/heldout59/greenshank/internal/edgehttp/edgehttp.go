//go:build js && wasm

// Package edgehttp is the HTTP plumbing shared by the edge handlers: handlers
// that get the KV store and return errors, request decoding with validation,
// JSON responses.
package edgehttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/go-playground/validator/v10"

	"github.com/fleetgrid/greenshank/internal/edgekv"
)

// Error is an error with the HTTP status it should be reported with.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// Errorf returns an *Error.
func Errorf(status int, format string, args ...any) error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}

// Func is a handler that is handed the fleet KV store and reports failure by
// returning an error. Errors that are not an *Error become 502, since they
// come from KV or an upstream.
type Func func(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error

func (f Func) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	store, err := edgekv.Open(edgekv.Binding)
	if err == nil {
		err = f(w, r, store)
	}
	if err == nil {
		return
	}
	var he *Error
	if errors.As(err, &he) {
		http.Error(w, he.Msg, he.Status)
		return
	}
	log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
	http.Error(w, "upstream error", http.StatusBadGateway)
}

// Decode reads the JSON body into dst and validates it.
func Decode(r *http.Request, v *validator.Validate, dst any) error {
	if err := json.NewDecoder(r.Body).Decode(dst); err != nil {
		return Errorf(http.StatusBadRequest, "bad body: %v", err)
	}
	if err := v.Struct(dst); err != nil {
		return Errorf(http.StatusUnprocessableEntity, "%v", err)
	}
	return nil
}

// JSON writes v with the given status.
func JSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// NoContent writes 204.
func NoContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}
