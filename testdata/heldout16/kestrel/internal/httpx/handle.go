// Package httpx adapts typed endpoint functions to net/http.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
)

// Error is an error with an HTTP status and a stable code for clients.
type Error struct {
	Status int    `json:"-"`
	Code   string `json:"code"`
	Msg    string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Msg) }

// Errorf builds an *Error.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Binder is implemented by request types that read themselves from the
// URL, headers or cookies instead of a JSON body.
type Binder interface {
	Bind(r *http.Request) error
}

const maxBody = 1 << 20

// Handle turns fn into a handler: it decodes Req, calls fn and writes Resp
// as JSON.
func Handle[Req, Resp any](fn func(context.Context, Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := decode(r, &req); err != nil {
			WriteError(w, Errorf(http.StatusBadRequest, "bad_request", "%v", err))
			return
		}
		resp, err := fn(r.Context(), req)
		if err != nil {
			WriteError(w, err)
			return
		}
		WriteJSON(w, http.StatusOK, resp)
	}
}

func decode(r *http.Request, dst any) error {
	if b, ok := dst.(Binder); ok {
		return b.Bind(r)
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// WriteJSON writes v with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Error("httpx: encode response", "err", err)
	}
}

// WriteError maps err to a status and writes it.
func WriteError(w http.ResponseWriter, err error) {
	var he *Error
	if !errors.As(err, &he) {
		slog.Error("httpx: unhandled", "err", err)
		he = &Error{Status: http.StatusInternalServerError, Code: "internal", Msg: "internal error"}
	}
	WriteJSON(w, he.Status, he)
}
