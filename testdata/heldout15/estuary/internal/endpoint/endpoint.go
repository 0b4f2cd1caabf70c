// Package endpoint is a small go-kit style transport layer: business logic is
// an Endpoint, and a Server adapts it to net/http with decode and encode
// functions. We kept the shape after dropping go-kit itself.
package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"example.com/estuary/internal/kvstore"
)

// Endpoint is one RPC.
type Endpoint func(ctx context.Context, req any) (any, error)

// Middleware wraps an Endpoint.
type Middleware func(Endpoint) Endpoint

// DecodeRequestFunc extracts a request object from an HTTP request.
type DecodeRequestFunc func(context.Context, *http.Request) (any, error)

// EncodeResponseFunc writes a response object.
type EncodeResponseFunc func(context.Context, http.ResponseWriter, any) error

// Server is an http.Handler around an Endpoint.
type Server struct {
	e   Endpoint
	dec DecodeRequestFunc
	enc EncodeResponseFunc
}

// NewServer builds a Server; mw are applied outermost first.
func NewServer(e Endpoint, dec DecodeRequestFunc, enc EncodeResponseFunc, mw ...Middleware) *Server {
	for i := len(mw) - 1; i >= 0; i-- {
		e = mw[i](e)
	}
	return &Server{e: e, dec: dec, enc: enc}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, err := s.dec(ctx, r)
	if err != nil {
		encodeError(w, http.StatusBadRequest, err)
		return
	}
	resp, err := s.e(ctx, req)
	switch {
	case err == nil:
		if err := s.enc(ctx, w, resp); err != nil {
			slog.Error("encode response", "err", err)
		}
	case errors.Is(err, kvstore.ErrNotFound):
		encodeError(w, http.StatusNotFound, err)
	default:
		slog.Error("endpoint failed", "path", r.URL.Path, "err", err)
		encodeError(w, http.StatusUnprocessableEntity, err)
	}
}

func encodeError(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// EncodeJSON writes resp as JSON.
func EncodeJSON(_ context.Context, w http.ResponseWriter, resp any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(resp)
}
