// Package httpapi is beacon's HTTP API: the endpoints called by the mobile
// SDKs, the push providers' delivery callbacks, and the admin console.
package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"

	"example.com/beacon/internal/campaign"
	"example.com/beacon/internal/device"
	"example.com/beacon/internal/session"
	"example.com/beacon/internal/tenant"
	"example.com/beacon/internal/topics"
)

// statusOf maps domain errors to HTTP statuses; anything else is a 500.
var statusOf = []struct {
	err    error
	status int
}{
	{device.ErrInvalid, http.StatusUnprocessableEntity},
	{device.ErrNotFound, http.StatusNotFound},
	{campaign.ErrNotFound, http.StatusNotFound},
	{campaign.ErrTransition, http.StatusConflict},
	{topics.ErrTooMany, http.StatusConflict},
	{tenant.ErrBundleTaken, http.StatusConflict},
	{session.ErrLockedOut, http.StatusTooManyRequests},
	{session.ErrBadCredentials, http.StatusUnauthorized},
	{session.ErrBadCode, http.StatusUnauthorized},
	{session.ErrNoSession, http.StatusUnauthorized},
	{session.ErrRefreshReused, http.StatusUnauthorized},
	{session.ErrResetInvalid, http.StatusGone},
}

// reply writes v (or an empty body when v is nil) with status, or the
// status that err maps to.
func reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		for _, e := range statusOf {
			if errors.Is(err, e.err) {
				writeJSON(w, e.status, map[string]string{"error": err.Error()})
				return
			}
		}
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		status, v = http.StatusInternalServerError, map[string]string{"error": "internal error"}
	}
	writeJSON(w, status, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	if v == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func badRequest(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": msg})
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
