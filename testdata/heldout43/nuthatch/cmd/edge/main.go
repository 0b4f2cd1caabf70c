//go:build js && wasm

// Command edge is the Cloudflare Worker in front of the parking service. It
// answers plate checks, runs pay-by-phone sessions and driver sign-in, and
// consumes the backend's replication queue.
package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/cityparking/nuthatch/internal/clock"
	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/edge/auth"
	"github.com/cityparking/nuthatch/internal/edge/checks"
	"github.com/cityparking/nuthatch/internal/edge/parking"
	"github.com/cityparking/nuthatch/internal/edgekv"
	"github.com/cityparking/nuthatch/internal/kvkeys"
)

// Deps is what the handlers need.
type Deps struct {
	City     string
	Data     *edgekv.Namespace
	Auth     *edgekv.Namespace
	Clock    clock.Clock
	Limiter  *checks.Limiter
	Checker  *checks.Checker
	Parking  *parking.Service
	Sessions *auth.Sessions
	Links    *auth.Links
	Phones   *auth.Phones
	Refresh  *auth.Refresh
	Staff    *auth.Staff
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, domain.ErrUnauthorized), errors.Is(err, domain.ErrExpired):
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	case errors.Is(err, checks.ErrLimited), errors.Is(err, auth.ErrTooManyAttempts):
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case errors.Is(err, parking.ErrZoneClosed):
		http.Error(w, err.Error(), http.StatusConflict)
	default:
		slog.Error("edge request failed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func session(deps Deps, r *http.Request) (*auth.Session, error) {
	c, err := r.Cookie("sid")
	if err != nil {
		return nil, domain.ErrUnauthorized
	}
	return deps.Sessions.Find(c.Value)
}

func handleCheck(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := deps.Limiter.Allow(r.Header.Get("CF-Connecting-IP")); err != nil {
			fail(w, err)
			return
		}
		res, err := deps.Checker.Check(r.PathValue("zone"), r.PathValue("plate"))
		if err != nil {
			fail(w, err)
			return
		}
		stamp := deps.Clock.Now().UTC().Format(time.RFC3339)
		if err := deps.Data.Put(kvkeys.Raw("edge/"+deps.City+"/last-lookup"), stamp, 0); err != nil { // EXPECT kvhotkey
			slog.Warn("last-lookup stamp", "err", err)
		}
		writeJSON(w, http.StatusOK, res)
	}
}

func handleZone(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		z, err := deps.Checker.Describe(r.Context(), r.PathValue("zone"))
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, z)
	}
}

func handleStart(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := session(deps, r)
		if err != nil {
			fail(w, err)
			return
		}
		minutes, err := strconv.Atoi(r.URL.Query().Get("minutes"))
		if err != nil || minutes <= 0 {
			http.Error(w, "bad minutes", http.StatusBadRequest)
			return
		}
		ps, err := deps.Parking.Start(r.PathValue("zone"), r.PathValue("plate"), s.UserID, minutes)
		if err != nil {
			fail(w, err)
			return
		}
		if err := s.Touch(); err != nil {
			slog.Warn("touch session", "err", err)
		}
		writeJSON(w, http.StatusCreated, ps)
	}
}

func handleExtend(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := session(deps, r); err != nil {
			fail(w, err)
			return
		}
		minutes, _ := strconv.Atoi(r.URL.Query().Get("minutes"))
		ps, err := deps.Parking.Extend(r.PathValue("zone"), r.PathValue("plate"), max(minutes, 15))
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, ps)
	}
}

func handleStop(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := session(deps, r); err != nil {
			fail(w, err)
			return
		}
		if err := deps.Parking.Stop(r.PathValue("zone"), r.PathValue("plate")); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func handleMagicLink(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		email, err := deps.Links.Redeem(r.URL.Query().Get("t"))
		if err != nil {
			fail(w, err)
			return
		}
		s, err := deps.Sessions.Create(email)
		if err != nil {
			fail(w, err)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: string(s.ID), Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/app", http.StatusSeeOther)
	}
}

func handleLogout(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := session(deps, r)
		if err == nil {
			if err := s.Revoke(); err != nil {
				fail(w, err)
				return
			}
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	}
}

func handleRefresh(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		userID, next, err := deps.Refresh.Rotate(r.FormValue("refresh_token"))
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"user": userID, "refresh_token": next})
	}
}

func handleSSOCallback(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		next, err := deps.Staff.Complete(r.URL.Query().Get("state"))
		if err != nil {
			fail(w, err)
			return
		}
		http.Redirect(w, r, next, http.StatusFound)
	}
}

func handleSendCode(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := deps.Phones.SendCode(r.FormValue("phone")); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

func handleVerifyCode(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := deps.Phones.Verify(r.FormValue("phone"), r.FormValue("code")); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func handleLogoutEverywhere(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := session(deps, r)
		if err != nil {
			fail(w, err)
			return
		}
		if err := deps.Sessions.RevokeAll(s.UserID); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func handleSessionPage(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		keys, next, err := deps.Parking.SessionPage(r.PathValue("zone"), r.URL.Query().Get("cursor"))
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"keys": keys, "cursor": next})
	}
}

// replication is a message published by the backend when a record changes.
type replication struct {
	Kind   string                 `json:"kind"`
	Plate  string                 `json:"plate"`
	Permit checks.PermitSnapshot  `json:"permit"`
	JTI    string                 `json:"jti"`
	Exp    int64                  `json:"exp"`
	Zone   string                 `json:"zone"`
	Config map[string]interface{} `json:"config"`
}

func consume(deps Deps) queues.Consumer {
	return func(batch *queues.MessageBatch) error {
		for _, msg := range batch.Messages {
			body, err := msg.StringBody()
			if err != nil {
				msg.Ack()
				continue
			}
			var m replication
			if err := json.Unmarshal([]byte(body), &m); err != nil {
				slog.Warn("bad replication message", "id", msg.ID, "err", err)
				msg.Ack()
				continue
			}
			switch m.Kind {
			case "permit.issued", "permit.renewed":
				err = deps.Checker.Replicate(m.Plate, m.Permit)
			case "permit.revoked":
				err = deps.Data.Delete(kvkeys.PlateKey{City: deps.City, Plate: m.Plate})
			case "token.revoked":
				err = deps.Staff.Deny(m.JTI, time.Unix(m.Exp, 0))
			case "zone.updated":
				var raw []byte
				if raw, err = json.Marshal(m.Config); err == nil {
					err = deps.Data.Put(kvkeys.ZoneKey{City: deps.City, Zone: m.Zone}, string(raw), 0)
				}
			default:
				slog.Info("ignored replication message", "kind", m.Kind)
			}
			if err != nil {
				msg.Retry()
				continue
			}
			if err := deps.Data.Put(kvkeys.Raw("replication/"+batch.Queue+"/watermark"), msg.ID, 0); err != nil { // EXPECT kvhotkey
				slog.Warn("watermark", "err", err)
			}
			msg.Ack()
		}
		return nil
	}
}

func main() {
	getenv := clock.Getenv(cloudflare.Getenv)
	city := cloudflare.Getenv("CITY")
	data, err := edgekv.Open("PARKING_KV")
	if err != nil {
		panic(err)
	}
	authNS, err := edgekv.Open("AUTH_KV")
	if err != nil {
		panic(err)
	}
	clk := clock.Real{}
	deps := Deps{
		City:     city,
		Data:     data,
		Auth:     authNS,
		Clock:    clk,
		Limiter:  &checks.Limiter{NS: data, PerMinute: clock.Int(getenv, "LOOKUPS_PER_MINUTE", 30), Clock: clk},
		Checker:  checks.NewChecker(city, data, clk),
		Parking:  &parking.Service{City: city, NS: data, Clock: clk},
		Sessions: &auth.Sessions{NS: authNS, Clock: clk, Idle: clock.Duration(getenv, "SESSION_IDLE", 12*time.Hour)},
		Links:    &auth.Links{NS: authNS, Clock: clk},
		Phones:   &auth.Phones{NS: authNS, Clock: clk, Send: func(string, string) error { return nil }},
		Refresh:  &auth.Refresh{NS: authNS, Clock: clk},
		Staff:    &auth.Staff{NS: authNS, Clock: clk},
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /check/{zone}/{plate}", handleCheck(deps))
	mux.HandleFunc("GET /zones/{zone}", handleZone(deps))
	mux.HandleFunc("POST /park/{zone}/{plate}", handleStart(deps))
	mux.HandleFunc("POST /park/{zone}/{plate}/extend", handleExtend(deps))
	mux.HandleFunc("DELETE /park/{zone}/{plate}", handleStop(deps))
	mux.HandleFunc("GET /auth/link", handleMagicLink(deps))
	mux.HandleFunc("POST /auth/logout", handleLogout(deps))
	mux.HandleFunc("POST /auth/refresh", handleRefresh(deps))
	mux.HandleFunc("GET /auth/sso/callback", handleSSOCallback(deps))
	mux.HandleFunc("POST /auth/phone", handleSendCode(deps))
	mux.HandleFunc("POST /auth/phone/verify", handleVerifyCode(deps))
	mux.HandleFunc("POST /auth/logout-everywhere", handleLogoutEverywhere(deps))
	mux.HandleFunc("GET /admin/zones/{zone}/sessions", handleSessionPage(deps))

	queues.ConsumeNonBlock(consume(deps))
	workers.Serve(mux)
}
