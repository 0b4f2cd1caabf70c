// Package httpapi is the operator-facing HTTP API.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"example.com/harbor/internal/berth"
	"example.com/harbor/internal/container"
	"example.com/harbor/internal/metrics"
	"example.com/harbor/internal/ratelimit"
	"example.com/harbor/internal/session"
	"example.com/harbor/internal/storage"
	"example.com/harbor/internal/tariff"
	"example.com/harbor/internal/vessel"
)

// Directory verifies operator credentials against the port's identity provider.
type Directory interface {
	Verify(ctx context.Context, operator, password string) (roles []string, err error)
}

// ErrBadCredentials is returned by a Directory for a wrong password.
var ErrBadCredentials = errors.New("httpapi: bad credentials")

// Deps are the services the API is built from.
type Deps struct {
	Store     storage.Store
	Bookings  *berth.Service
	Sessions  *session.Manager
	Vessels   *vessel.Service
	Projector *container.Projector
	Tariffs   *tariff.Service
	Metrics   *metrics.Aggregator
	Directory Directory
	Allow     ratelimit.Allow
	Log       *slog.Logger
}

// Server holds the handlers.
type Server struct {
	Deps
	mux *http.ServeMux
}

const sessionCookie = "harbor_session"

// New builds the route table.
func New(d Deps) *Server {
	s := &Server{Deps: d, mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /v1/login", s.login)
	s.mux.Handle("POST /v1/logout", s.authed(s.logout))
	s.mux.Handle("PUT /v1/me/preferences", s.authed(s.putPreferences))
	s.mux.Handle("POST /v1/bookings", s.authed(s.createBooking))
	s.mux.Handle("POST /v1/bookings/{id}/status", s.authed(s.transitionBooking))
	s.mux.Handle("POST /v1/bookings/{id}/hold", s.authed(s.holdBooking))
	s.mux.Handle("GET /v1/vessels/{imo}/eta", s.authed(s.eta))
	s.mux.Handle("POST /v1/containers/events", s.authed(s.containerEvents))
	s.mux.Handle("GET /v1/containers/holds", s.authed(s.holds))
	s.mux.HandleFunc("GET /v1/tariffs/current", s.currentTariffs)
	return s
}

// Handler returns the API with rate limiting applied.
func (s *Server) Handler() http.Handler {
	return ratelimit.Middleware(s.Allow, "X-Harbor-Client", s.mux)
}

type authedHandler func(w http.ResponseWriter, r *http.Request, sess session.Session)

func (s *Server) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			writeError(w, http.StatusUnauthorized, "login required")
			return
		}
		sess, err := s.Sessions.Lookup(r.Context(), c.Value)
		if errors.Is(err, session.ErrNoSession) {
			writeError(w, http.StatusUnauthorized, "session expired")
			return
		}
		if err != nil {
			writeError(w, http.StatusServiceUnavailable, "try again")
			return
		}
		if sess, err = s.Sessions.Touch(r.Context(), sess); err != nil {
			s.Log.Warn("session touch failed", "err", err)
		}
		h(w, r, sess)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid body: "+err.Error())
		return false
	}
	return true
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Operator string `json:"operator"`
		Password string `json:"password"`
	}
	if !decode(w, r, &in) {
		return
	}
	ctx := r.Context()
	roles, err := s.Directory.Verify(ctx, in.Operator, in.Password)
	if errors.Is(err, ErrBadCredentials) {
		if errors.Is(s.Sessions.FailedLogin(ctx, in.Operator), session.ErrLocked) {
			writeError(w, http.StatusTooManyRequests, "account temporarily locked")
			return
		}
		writeError(w, http.StatusUnauthorized, "wrong operator or password")
		return
	}
	if err != nil {
		writeError(w, http.StatusBadGateway, "identity provider unavailable")
		return
	}
	sess, err := s.Sessions.Create(ctx, in.Operator, roles)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "could not start session")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, struct {
		Operator  string    `json:"operator"`
		ExpiresAt time.Time `json:"expires_at"`
	}{sess.Operator, sess.ExpiresAt})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess session.Session) {
	if err := s.Sessions.Logout(r.Context(), sess.ID); err != nil {
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) putPreferences(w http.ResponseWriter, r *http.Request, sess session.Session) {
	var in map[string]string
	if !decode(w, r, &in) {
		return
	}
	if len(in) > 50 {
		writeError(w, http.StatusBadRequest, "too many preferences")
		return
	}
	b, _ := json.Marshal(in)
	if err := s.Store.Put(r.Context(), "prefs:"+sess.Operator, b); err != nil {
		writeError(w, http.StatusServiceUnavailable, "could not save preferences")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
