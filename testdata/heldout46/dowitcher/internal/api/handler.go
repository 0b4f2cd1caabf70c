// Package api serves the device and console HTTP API of the fleet backend.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"dowitcher/internal/auth"
	"dowitcher/internal/device"
	"dowitcher/internal/kvstore"
	"dowitcher/internal/provision"
	"dowitcher/internal/rollout"
	"dowitcher/internal/telemetry"
)

// requestsPerMinute is the per-IP budget of the device API.
const requestsPerMinute = 120

// Handler routes /v1/ requests.
type Handler struct {
	Devices   *device.Registry
	Sessions  *auth.Sessions
	Tokens    *auth.Tokens
	Provision *provision.Provisioner
	Rollouts  *rollout.Manager
	Sink      *telemetry.Sink
	Edge      *kvstore.Store // the namespace the edge Worker reads
	Limits    *kvstore.Store
	Log       *slog.Logger
}

type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func errStatus(code int, format string, args ...any) error {
	return &httpError{code: code, msg: fmt.Sprintf(format, args...)}
}

// ServeHTTP dispatches on the path prefix and recovers handler panics.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				h.Log.Error("panic", "path", r.URL.Path, "value", v, "stack", string(debug.Stack()))
				err = errStatus(http.StatusInternalServerError, "internal error")
			}
		}()
		return h.route(w, r)
	}()
	if err == nil {
		return
	}
	var he *httpError
	switch {
	case errors.As(err, &he):
		http.Error(w, he.msg, he.code)
	case errors.Is(err, auth.ErrNoSession), errors.Is(err, auth.ErrLinkInvalid), errors.Is(err, auth.ErrOTPInvalid):
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	case errors.Is(err, provision.ErrUnknownCode):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, provision.ErrNameTaken), errors.Is(err, rollout.ErrLocked):
		http.Error(w, err.Error(), http.StatusConflict)
	default:
		h.Log.Error("request failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (h *Handler) route(w http.ResponseWriter, r *http.Request) error {
	path, ok := strings.CutPrefix(r.URL.Path, "/v1/")
	if !ok {
		return errStatus(http.StatusNotFound, "not found")
	}
	if path == "health" {
		return h.health(w, r)
	}
	if rest, ok := strings.CutPrefix(path, "devices/"); ok {
		if err := h.rateLimit(r.Context(), clientIP(r)); err != nil {
			return err
		}
		return h.devices(w, r, rest)
	}
	if rest, ok := strings.CutPrefix(path, "session"); ok {
		return h.session(w, r, strings.TrimPrefix(rest, "/"))
	}
	if rest, ok := strings.CutPrefix(path, "provision/"); ok {
		return h.provision(w, r, rest)
	}
	if rest, ok := strings.CutPrefix(path, "rollouts/"); ok {
		return h.rollouts(w, r, rest)
	}
	return errStatus(http.StatusNotFound, "not found")
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

func (h *Handler) rateLimit(ctx context.Context, ip string) error {
	window := time.Now().UTC().Truncate(time.Minute).Unix()
	key := kvstore.Join("ratelimit", ip, strconv.FormatInt(window, 10))
	raw, found, err := h.Limits.Lookup(ctx, key)
	if err != nil {
		return err
	}
	n := 0
	if found {
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= requestsPerMinute {
		return errStatus(http.StatusTooManyRequests, "slow down")
	}
	return h.Limits.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), 2*time.Minute) // EXPECT kvcounter|kvrace
}

func (h *Handler) health(w http.ResponseWriter, r *http.Request) error {
	now := strconv.FormatInt(time.Now().Unix(), 10)
	if err := h.Edge.Put(r.Context(), "health/probe", []byte(now)); err != nil { // EXPECT kvhotkey
		return errStatus(http.StatusServiceUnavailable, "kv write failed: %v", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// devices serves /v1/devices/{fleet}/{serial}/{action}.
func (h *Handler) devices(w http.ResponseWriter, r *http.Request, rest string) error {
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) != 3 {
		return errStatus(http.StatusNotFound, "not found")
	}
	fleet, serial, action := parts[0], parts[1], parts[2]
	ctx := r.Context()

	switch action {
	case "checkin":
		if r.Method != http.MethodPost {
			return errStatus(http.StatusMethodNotAllowed, "POST only")
		}
		secret, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		tok, err := h.Tokens.Verify(ctx, secret)
		if err != nil {
			if errors.Is(err, auth.ErrNoSession) {
				if ferr := h.Tokens.RecordFailure(ctx, fleet, serial); ferr != nil {
					return ferr
				}
			}
			return err
		}
		if tok.Fleet != fleet || tok.Serial != serial {
			return errStatus(http.StatusForbidden, "token does not match device")
		}
		var rep telemetry.Report
		if err := json.NewDecoder(r.Body).Decode(&rep); err != nil {
			return errStatus(http.StatusBadRequest, "bad report: %v", err)
		}
		rep.Fleet, rep.Serial, rep.At = fleet, serial, time.Now().UTC()
		h.Sink.Observe(rep)
		if err := h.Edge.Put(ctx, "fleet/last_checkin", []byte(fleet+"/"+serial)); err != nil { // EXPECT kvhotkey
			h.Log.Warn("last checkin", "err", err)
		}
		doc, err := h.Devices.Config(ctx, fleet, serial)
		if err != nil {
			return err
		}
		return writeJSON(w, doc)

	case "config":
		if _, err := h.console(r); err != nil {
			return err
		}
		switch r.Method {
		case http.MethodGet:
			doc, err := h.Devices.Config(ctx, fleet, serial)
			if err != nil {
				return err
			}
			return writeJSON(w, doc)
		case http.MethodPatch:
			var changes map[string]string
			if err := json.NewDecoder(r.Body).Decode(&changes); err != nil {
				return errStatus(http.StatusBadRequest, "bad patch: %v", err)
			}
			rev, err := h.Devices.PatchConfig(ctx, fleet, serial, "console", changes)
			if err != nil {
				return err
			}
			return writeJSON(w, map[string]int{"revision": rev})
		case http.MethodPut:
			var doc device.ConfigDoc
			if err := json.NewDecoder(r.Body).Decode(&doc); err != nil {
				return errStatus(http.StatusBadRequest, "bad config: %v", err)
			}
			doc.Fleet, doc.Serial = fleet, serial
			return h.Devices.ReplaceConfig(ctx, &doc)
		default:
			return errStatus(http.StatusMethodNotAllowed, "method not allowed")
		}

	case "token":
		if _, err := h.console(r); err != nil {
			return err
		}
		switch r.Method {
		case http.MethodPost:
			secret, err := h.Tokens.Mint(ctx, fleet, serial)
			if err != nil {
				return err
			}
			return writeJSON(w, map[string]string{"token": secret})
		case http.MethodDelete:
			secret := r.URL.Query().Get("token")
			return h.Tokens.Revoke(ctx, secret, time.Now().Add(30*24*time.Hour))
		default:
			return errStatus(http.StatusMethodNotAllowed, "method not allowed")
		}
	}
	return errStatus(http.StatusNotFound, "unknown action %q", action)
}

// console authenticates an operator request and extends its session.
func (h *Handler) console(r *http.Request) (*auth.Session, error) {
	c, err := r.Cookie("fleet_session")
	if err != nil {
		return nil, auth.ErrNoSession
	}
	return h.Sessions.Touch(r.Context(), c.Value)
}

func (h *Handler) session(w http.ResponseWriter, r *http.Request, rest string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodPost:
		email, token := r.FormValue("email"), r.FormValue("token")
		if err := h.Sessions.RedeemLink(ctx, email, token); err != nil {
			return err
		}
		sess, err := h.Sessions.Create(ctx, kvstore.EmailHash(email)[:16], email, r.FormValue("org"))
		if err != nil {
			return err
		}
		http.SetCookie(w, &http.Cookie{Name: "fleet_session", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
		return writeJSON(w, sess)
	case http.MethodDelete:
		c, err := r.Cookie("fleet_session")
		if err != nil {
			return nil
		}
		http.SetCookie(w, &http.Cookie{Name: "fleet_session", Value: "", Path: "/", MaxAge: -1})
		return h.Sessions.Logout(ctx, c.Value)
	}
	return errStatus(http.StatusMethodNotAllowed, "method not allowed")
}

func (h *Handler) provision(w http.ResponseWriter, r *http.Request, code string) error {
	sess, err := h.console(r)
	if err != nil {
		return err
	}
	switch r.Method {
	case http.MethodGet:
		ok, err := h.Provision.Check(r.Context(), code)
		if err != nil {
			return err
		}
		return writeJSON(w, map[string]bool{"redeemable": ok})
	case http.MethodPost:
		claim, err := h.Provision.Redeem(r.Context(), sess.Org, code, r.FormValue("serial"))
		if err != nil {
			return err
		}
		if name := r.FormValue("name"); name != "" {
			if err := h.Provision.ClaimName(r.Context(), claim.Fleet, name, claim.Serial); err != nil {
				return err
			}
		}
		if err := h.Devices.EnsureDefaults(r.Context(), claim.Fleet, claim.Serial); err != nil {
			return err
		}
		return writeJSON(w, claim)
	}
	return errStatus(http.StatusMethodNotAllowed, "method not allowed")
}

func (h *Handler) rollouts(w http.ResponseWriter, r *http.Request, rest string) error {
	sess, err := h.console(r)
	if err != nil {
		return err
	}
	id, action, _ := strings.Cut(rest, "/")
	if r.Method != http.MethodPost {
		return errStatus(http.StatusMethodNotAllowed, "POST only")
	}
	switch action {
	case "run":
		c, err := h.Rollouts.Load(r.Context(), id)
		if err != nil {
			return err
		}
		go func() {
			ctx := context.WithoutCancel(r.Context())
			if _, err := h.Rollouts.Run(ctx, c, sess.Email); err != nil {
				h.Log.Error("rollout", "campaign", id, "err", err)
			}
		}()
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	return errStatus(http.StatusNotFound, "unknown action %q", action)
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}
