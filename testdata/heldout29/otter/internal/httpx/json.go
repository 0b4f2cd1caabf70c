// Package httpx holds the HTTP plumbing shared by the services: generic
// JSON adapters, error mapping and middleware.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"example.com/otter/internal/repo"
)

type Error struct {
	Status int
	Code   string
	Msg    string
}

func (e *Error) Error() string { return e.Code + ": " + e.Msg }

func Errorf(status int, code, msg string) error { return &Error{Status: status, Code: code, Msg: msg} }

// Request carries the decoded body together with the raw request, for
// handlers that need path values or headers.
type Request[In any] struct {
	Body In
	HTTP *http.Request
}

// JSON adapts a service method taking and returning plain values.
func JSON[In, Out any](fn func(context.Context, In) (Out, error)) http.HandlerFunc {
	return JSONReq(func(ctx context.Context, r Request[In]) (Out, error) { return fn(ctx, r.Body) })
}

// JSONReq adapts a method that also needs the request.
func JSONReq[In, Out any](fn func(context.Context, Request[In]) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		err := decode(r, &in)
		var out Out
		if err == nil {
			out, err = fn(r.Context(), Request[In]{Body: in, HTTP: r})
		}
		if err != nil {
			WriteError(w, r, err)
			return
		}
		Write(w, http.StatusOK, out)
	}
}

func decode(r *http.Request, dst any) error {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodDelete {
		return nil
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	if err := dec.Decode(dst); err != nil && !errors.Is(err, io.EOF) {
		return Errorf(http.StatusBadRequest, "bad_json", err.Error())
	}
	return nil
}

func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var he *Error
	switch {
	case errors.As(err, &he):
	case errors.Is(err, repo.ErrNotFound):
		he = &Error{Status: http.StatusNotFound, Code: "not_found", Msg: "no such resource"}
	case errors.Is(err, repo.ErrConflict):
		he = &Error{Status: http.StatusConflict, Code: "conflict", Msg: err.Error()}
	default:
		slog.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		he = &Error{Status: http.StatusInternalServerError, Code: "internal", Msg: "internal error"}
	}
	Write(w, he.Status, map[string]string{"error": he.Code, "message": he.Msg})
}
