//go:build js && wasm

package middleware

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"example.com/wayfarer/internal/domain"
	"example.com/wayfarer/internal/storage"
)

// E adapts a handler that returns its error; the error is rendered by
// WriteError.
type E func(http.ResponseWriter, *http.Request) error

func (f E) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		WriteError(w, err)
	}
}

func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// WriteError maps domain and storage errors to HTTP statuses.
func WriteError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, domain.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, domain.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, domain.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, domain.ErrInvalidInput):
		status = http.StatusBadRequest
	}
	_ = WriteJSON(w, status, map[string]string{"error": err.Error()})
}

// DecodeJSON reads a request body into v, limited to 1 MiB.
func DecodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", domain.ErrInvalidInput, err)
	}
	return nil
}
