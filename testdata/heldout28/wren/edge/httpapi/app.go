//go:build js && wasm

// Package httpapi is the worker's HTTP surface: the driver app API, the charger bridge and the public status map.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"example.com/wren/edge/chargerstatus"
	"example.com/wren/edge/kvstore"
	"example.com/wren/edge/reservation"
	"example.com/wren/edge/rfid"
	"example.com/wren/edge/session"
	"example.com/wren/edge/tariffs"
)

// Backend is the origin API the worker calls for anything authoritative.
type Backend interface {
	VerifyPassword(ctx context.Context, email, password string) (driverID string, err error)
	ExchangePartnerCode(ctx context.Context, code string) error
}

// ErrBadCredentials is returned by Backend.VerifyPassword.
var ErrBadCredentials = errors.New("bad credentials")

// App holds the worker's dependencies.
type App struct {
	Sessions     *session.SessionService
	Status       *kvstore.Store
	Presence     *kvstore.Store
	Links        *kvstore.Store
	Tracker      *chargerstatus.Tracker
	Tariffs      *tariffs.Catalog
	Reservations *reservation.Service
	Authorizer   *rfid.Authorizer
	Blocker      *rfid.Blocker
	Backend      Backend
	Log          *slog.Logger
}

// Routes returns the worker's mux.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/login", a.handleLogin())
	mux.HandleFunc("POST /api/logout", a.requireSession(a.handleLogout()))
	mux.HandleFunc("GET /api/magic/{token}", a.handleMagicLink())
	mux.HandleFunc("GET /api/chargers/{id}", a.handleStatus())
	mux.HandleFunc("GET /api/sites/{id}/notice", a.handleNotice())
	mux.HandleFunc("POST /api/chargers/{id}/heartbeat", a.handleHeartbeat())
	mux.HandleFunc("POST /api/chargers/{id}/status", a.handleStatusNotification())
	mux.HandleFunc("POST /api/reservations", a.requireSession(a.handleReserve()))
	mux.HandleFunc("POST /ocpp/authorize", a.Authorizer.Handler())
	mux.HandleFunc("GET /tariffs/{id}", a.Tariffs.Handler())
	mux.HandleFunc("POST /ops/cards/{uid}/block", a.handleBlockCard())
	mux.HandleFunc("GET /partner/start", a.handlePartnerStart())
	mux.HandleFunc("GET /partner/callback", a.handlePartnerCallback())
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// requireSession resolves the session cookie and records activity.
func (a *App) requireSession(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := a.Sessions.FromRequest(r)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if time.Since(sess.LastSeen) > time.Minute {
			if err := a.Sessions.Touch(r.Context(), sess.ID); err != nil {
				a.Log.Warn("session touch failed", "err", err)
			}
		}
		next(w, r.WithContext(session.WithSession(r.Context(), sess)))
	}
}

func (a *App) handleLogin() http.HandlerFunc {
	type request struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	return func(w http.ResponseWriter, r *http.Request) {
		var req request
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		driverID, err := a.Backend.VerifyPassword(r.Context(), req.Email, req.Password)
		if errors.Is(err, ErrBadCredentials) {
			http.Error(w, "invalid e-mail or password", http.StatusUnauthorized)
			return
		}
		if err != nil {
			http.Error(w, "login unavailable", http.StatusBadGateway)
			return
		}
		sess, err := a.Sessions.Create(r.Context(), driverID, r.UserAgent())
		if err != nil {
			http.Error(w, "login unavailable", http.StatusServiceUnavailable)
			return
		}
		http.SetCookie(w, a.Sessions.Cookie(sess))
		writeJSON(w, http.StatusOK, map[string]string{"driver_id": driverID})
	}
}

func (a *App) handleLogout() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, _ := session.From(r.Context())
		if err := a.Sessions.Revoke(r.Context(), sess.ID); err != nil {
			a.Log.Error("logout failed", "err", err)
			http.Error(w, "logout failed", http.StatusServiceUnavailable)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: session.CookieName, Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	}
}

// markSeen stamps key with the current time.
func markSeen(ctx context.Context, kv interface {
	Put(context.Context, string, []byte) error
}, key string) error {
	return kv.Put(ctx, key, []byte(time.Now().UTC().Format(time.RFC3339)))
}

func (a *App) handleStatus() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		snap, found, err := a.Tracker.Snapshot(r.Context(), r.PathValue("id"))
		if err != nil {
			http.Error(w, "status unavailable", http.StatusServiceUnavailable)
			return
		}
		if !found {
			http.NotFound(w, r)
			return
		}
		if err := markSeen(r.Context(), a.Presence, "edge:last-status-read"); err != nil { // EXPECT kvhotkey
			a.Log.Debug("mark seen", "err", err)
		}
		writeJSON(w, http.StatusOK, snap)
	}
}

func (a *App) handleNotice() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, err := a.Status.GetRaw(r.Context(), "notice:"+r.PathValue("id"))
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if len(raw) == 0 { // EXPECT kvnull
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(raw))
	}
}

func (a *App) handleHeartbeat() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := a.Tracker.Heartbeat(r.Context(), r.PathValue("id")); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"currentTime": time.Now().UTC().Format(time.RFC3339)})
	}
}

func (a *App) handleStatusNotification() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var ev chargerstatus.Event
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2<<10)).Decode(&ev); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if ev.At.IsZero() {
			ev.At = time.Now().UTC()
		}
		if err := a.Tracker.Notify(r.Context(), r.PathValue("id"), ev); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if ev.State == chargerstatus.Charging {
			if err := a.Tracker.CountStart(r.Context(), ev.At); err != nil {
				a.Log.Warn("count start", "err", err)
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *App) handleReserve() http.HandlerFunc {
	type request struct {
		ChargerID string    `json:"charger_id"`
		Connector int       `json:"connector"`
		Start     time.Time `json:"start"`
		Slots     int       `json:"slots"`
	}
	return func(w http.ResponseWriter, r *http.Request) {
		sess, _ := session.From(r.Context())
		var req request
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2<<10)).Decode(&req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		res, err := a.Reservations.Reserve(r.Context(), sess.DriverID, req.ChargerID, req.Connector, req.Start, req.Slots)
		switch {
		case errors.Is(err, reservation.ErrTaken):
			http.Error(w, "slot taken", http.StatusConflict)
		case errors.Is(err, reservation.ErrBadSlot):
			http.Error(w, "slot not bookable", http.StatusUnprocessableEntity)
		case err != nil:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		default:
			writeJSON(w, http.StatusCreated, res)
		}
	}
}

// handleBlockCard is called by the backend when support blocks a card.
func (a *App) handleBlockCard() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Wren-Origin-Token") == "" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if err := a.Blocker.Block(r.Context(), r.PathValue("uid")); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
