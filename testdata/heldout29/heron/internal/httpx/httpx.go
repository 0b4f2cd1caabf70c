// Package httpx holds the HTTP plumbing shared by the edge worker and the
// backend API: a generic JSON adapter for service methods, status errors and
// middleware.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
)

// StatusError carries an HTTP status through service layers.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// Errorf returns a StatusError.
func Errorf(code int, msg string) error { return &StatusError{Code: code, Msg: msg} }

// Binder is implemented by request types that read path values or query
// parameters in addition to, or instead of, a JSON body.
type Binder interface {
	Bind(r *http.Request) error
}

// maxBody bounds request bodies read by JSON.
const maxBody = 1 << 20

// JSON adapts a service method to an http.HandlerFunc. The request body is
// decoded into In (when present), In may also bind from the request, and Out
// is written as JSON.
func JSON[In, Out any](fn func(context.Context, In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if r.Body != nil && r.ContentLength != 0 {
			dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
			if err := dec.Decode(&in); err != nil && !errors.Is(err, io.EOF) {
				WriteError(w, Errorf(http.StatusBadRequest, "malformed JSON body"))
				return
			}
		}
		if b, ok := any(&in).(Binder); ok {
			if err := b.Bind(r); err != nil {
				WriteError(w, Errorf(http.StatusBadRequest, err.Error()))
				return
			}
		}
		out, err := fn(r.Context(), in)
		if err != nil {
			WriteError(w, err)
			return
		}
		WriteJSON(w, http.StatusOK, out)
	}
}

// WriteJSON writes v with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError maps err to a status and writes it as JSON.
func WriteError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	msg := "internal error"
	var se *StatusError
	if errors.As(err, &se) {
		code, msg = se.Code, se.Msg
	} else {
		slog.Error("request failed", "err", err)
	}
	WriteJSON(w, code, map[string]string{"error": msg})
}

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one listed runs first.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Recover turns panics into 500s.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				slog.Error("panic", "value", v, "path", r.URL.Path)
				WriteError(w, Errorf(http.StatusInternalServerError, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// RequireHeader rejects requests without a header, used for staff devices.
func RequireHeader(name string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get(name) == "" {
				WriteError(w, Errorf(http.StatusUnauthorized, "missing "+name))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
