// Package endpoint is a small go-kit style transport layer: business logic is
// an Endpoint, and a Server adapts it to net/http with decode/encode funcs.
package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
)

// Endpoint is the unit of business logic behind one route.
type Endpoint func(ctx context.Context, req any) (any, error)

// DecodeRequestFunc extracts a request value from an HTTP request.
type DecodeRequestFunc func(ctx context.Context, r *http.Request) (any, error)

// EncodeResponseFunc writes a response value.
type EncodeResponseFunc func(ctx context.Context, w http.ResponseWriter, resp any) error

// StatusError attaches an HTTP status to an error.
type StatusError struct {
	Code int
	Err  error
}

func (e *StatusError) Error() string { return e.Err.Error() }
func (e *StatusError) Unwrap() error { return e.Err }

func BadRequest(format string, args ...any) error {
	return &StatusError{Code: http.StatusBadRequest, Err: fmt.Errorf(format, args...)}
}

func Conflict(err error) error { return &StatusError{Code: http.StatusConflict, Err: err} }

// TooMany is returned by endpoints that throttle.
var TooMany = &StatusError{Code: http.StatusTooManyRequests, Err: errors.New("rate limited")}

// Server serves one Endpoint.
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
	if err == nil {
		var resp any
		if resp, err = s.e(ctx, req); err == nil {
			if err := s.enc(ctx, w, resp); err != nil {
				slog.ErrorContext(ctx, "encode response", "err", err)
			}
			return
		}
	}
	EncodeError(ctx, err, w)
}

// EncodeJSON writes resp as JSON with status 200.
func EncodeJSON(_ context.Context, w http.ResponseWriter, resp any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(resp)
}

// Status maps an error to an HTTP status.
func Status(err error) int {
	var se *StatusError
	var nf *storage.NotFoundError
	switch {
	case errors.As(err, &se):
		return se.Code
	case errors.As(err, &nf), errors.Is(err, storage.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ids.ErrBadAccountID), errors.Is(err, ids.ErrBadOrderID):
		return http.StatusBadRequest
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	default:
		return http.StatusInternalServerError
	}
}

// EncodeError writes {"error": "..."} with the mapped status. Server errors
// are logged, not echoed.
func EncodeError(ctx context.Context, err error, w http.ResponseWriter) {
	code := Status(err)
	msg := err.Error()
	if code >= 500 {
		slog.ErrorContext(ctx, "endpoint failed", "err", err)
		msg = http.StatusText(code)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
