// Package api serves the homeowner and installer app API of the newer
// backend.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/motmot-energy/motmot/internal/session"
	"github.com/motmot-energy/motmot/internal/statement"
	"github.com/motmot-energy/motmot/internal/telemetry"
	"github.com/motmot-energy/motmot/internal/thermostat"
)

const cookieName = "motmot_sess"

// Server holds the domain services.
type Server struct {
	Sessions   *session.Manager
	Thermostat *thermostat.Service
	Telemetry  *telemetry.Ingest
	Statements *statement.Store
}

// Routes returns the API mux.
func (s *Server) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.Handle("/home/", &homeHandler{srv: s})
	mux.HandleFunc("POST /ingest", s.Telemetry.HandleIngest)
	mux.HandleFunc("GET /live/{home}", s.Telemetry.HandleLive)
	mux.HandleFunc("GET /device/{device}/reading", s.Telemetry.HandleLastReading)
	return mux
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID string   `json:"user"`
		Homes  []string `json:"homes"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.UserID == "" {
		http.Error(w, "bad login", http.StatusBadRequest)
		return
	}
	rec, err := s.Sessions.Create(r.Context(), req.UserID, session.Homeowner, req.Homes)
	if err != nil {
		slog.Error("create session", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: rec.ID, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	_ = json.NewEncoder(w).Encode(map[string]string{"csrf": rec.CSRF})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := s.Sessions.Logout(r.Context(), session.Homeowner, c.Value); err != nil {
		slog.Warn("logout", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// homeHandler serves /home/{id}/... for a signed-in homeowner. A fresh one
// is used per request, with the session state embedded.
type homeHandler struct {
	srv *Server
}

type homeRequest struct {
	session.State
	srv *Server
	w   http.ResponseWriter
	r   *http.Request
}

func (h *homeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &homeRequest{State: session.State{Sessions: h.srv.Sessions}, srv: h.srv, w: w, r: r}
	c, err := r.Cookie(cookieName)
	if err != nil {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	if err := req.Load(r.Context(), session.Homeowner, c.Value); err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, session.ErrNoSession) {
			status = http.StatusUnauthorized
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	req.Touch(time.Now())
	defer func() {
		if err := req.Save(r.Context()); err != nil {
			slog.Warn("save session", "err", err)
		}
	}()
	req.route()
}

func (req *homeRequest) route() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /home/{home}/schedule/{device}", req.schedule)
	mux.HandleFunc("POST /home/{home}/schedule/{device}", req.editSchedule)
	mux.HandleFunc("POST /home/{home}/override/{device}", req.override)
	mux.HandleFunc("GET /home/{home}/statement/{year}/{month}", req.statement)
	mux.ServeHTTP(req.w, req.r)
}

func (req *homeRequest) home() (string, bool) {
	home := req.r.PathValue("home")
	if !req.SelectHome(home) {
		http.Error(req.w, "forbidden", http.StatusForbidden)
		return "", false
	}
	return home, true
}

func (req *homeRequest) schedule(w http.ResponseWriter, r *http.Request) {
	home, ok := req.home()
	if !ok {
		return
	}
	s, err := req.srv.Thermostat.Get(r.Context(), home, r.PathValue("device"))
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	_ = json.NewEncoder(w).Encode(s)
}

func (req *homeRequest) editSchedule(w http.ResponseWriter, r *http.Request) {
	home, ok := req.home()
	if !ok {
		return
	}
	var changes []thermostat.Change
	if err := json.NewDecoder(r.Body).Decode(&changes); err != nil {
		http.Error(w, "bad changes", http.StatusBadRequest)
		return
	}
	sched, err := req.srv.Thermostat.Edit(r.Context(), home, r.PathValue("device"), changes)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	_ = json.NewEncoder(w).Encode(sched)
}

func (req *homeRequest) override(w http.ResponseWriter, r *http.Request) {
	home, ok := req.home()
	if !ok {
		return
	}
	var o thermostat.Override
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		http.Error(w, "bad override", http.StatusBadRequest)
		return
	}
	if err := req.srv.Thermostat.SetOverride(r.Context(), home, r.PathValue("device"), o); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (req *homeRequest) statement(w http.ResponseWriter, r *http.Request) {
	home, ok := req.home()
	if !ok {
		return
	}
	year, err1 := time.Parse("2006", r.PathValue("year"))
	month, err2 := time.Parse("01", r.PathValue("month"))
	if err := errors.Join(err1, err2); err != nil {
		http.Error(w, "bad period", http.StatusBadRequest)
		return
	}
	st, err := req.srv.Statements.Get(r.Context(), home, year.Year(), month.Month())
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	req.srv.Statements.Viewed(r.URL.Path)
	_ = json.NewEncoder(w).Encode(st)
}
