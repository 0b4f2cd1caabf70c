// Package endpoint is a small go-kit style transport layer: business logic
// is written as Endpoints, and HTTP handlers are assembled from an endpoint
// plus request decoding and response encoding functions.
package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"example.com/orchard/internal/kvstore"
)

type Endpoint func(ctx context.Context, req any) (any, error)

type DecodeRequestFunc func(context.Context, *http.Request) (any, error)

type EncodeResponseFunc func(context.Context, http.ResponseWriter, any) error

// Server adapts an Endpoint to http.Handler.
type Server struct {
	e   Endpoint
	dec DecodeRequestFunc
	enc EncodeResponseFunc
}

func NewServer(e Endpoint, dec DecodeRequestFunc, enc EncodeResponseFunc) *Server {
	return &Server{e: e, dec: dec, enc: enc}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, err := s.dec(ctx, r)
	if err != nil {
		DefaultErrorEncoder(ctx, &ValidationError{Err: err}, w)
		return
	}
	resp, err := s.e(ctx, req)
	if err != nil {
		DefaultErrorEncoder(ctx, err, w)
		return
	}
	if err := s.enc(ctx, w, resp); err != nil {
		slog.ErrorContext(ctx, "encode response", "err", err)
	}
}

// ValidationError marks a malformed request.
type ValidationError struct{ Err error }

func (e *ValidationError) Error() string { return "invalid request: " + e.Err.Error() }
func (e *ValidationError) Unwrap() error { return e.Err }

// StatusCoder lets domain errors choose their HTTP status.
type StatusCoder interface{ StatusCode() int }

func DefaultErrorEncoder(ctx context.Context, err error, w http.ResponseWriter) {
	code := http.StatusInternalServerError
	var sc StatusCoder
	var ve *ValidationError
	switch {
	case errors.As(err, &sc):
		code = sc.StatusCode()
	case errors.As(err, &ve):
		code = http.StatusBadRequest
	case errors.Is(err, kvstore.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, kvstore.ErrThrottled):
		code = http.StatusServiceUnavailable
	}
	if code >= 500 {
		slog.ErrorContext(ctx, "request failed", "err", err)
	}
	http.Error(w, http.StatusText(code), code)
}

func EncodeJSON(_ context.Context, w http.ResponseWriter, resp any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(resp)
}

// DecodeJSON returns a decoder for a JSON request body of type T.
func DecodeJSON[T any]() DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		var v T
		err := json.NewDecoder(r.Body).Decode(&v)
		return v, err
	}
}
