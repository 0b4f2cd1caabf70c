// Package httpapi is the dispatch service's HTTP API used by the driver and
// rider apps and by partner back offices.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"goldeneye/internal/cancels"
	"goldeneye/internal/driverindex"
	"goldeneye/internal/kvstore"
	"goldeneye/internal/ridepin"
	"goldeneye/internal/session"
	"goldeneye/internal/trip"
)

// Server holds the handlers' dependencies.
type Server struct {
	kv      *kvstore.Store
	drivers *session.Manager
	riders  *session.Manager
	trips   *trip.Service
	index   *driverindex.Index
	cancels *cancels.Tracker
	tally   *cancels.Tally
	log     *slog.Logger
}

// New returns a Server.
func New(st *kvstore.Store, drivers, riders *session.Manager, trips *trip.Service, index *driverindex.Index, tr *cancels.Tracker, tally *cancels.Tally, log *slog.Logger) *Server {
	return &Server{kv: st, drivers: drivers, riders: riders, trips: trips, index: index, cancels: tr, tally: tally, log: log}
}

// Handler returns the routed handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/signin", s.signIn)
	mux.HandleFunc("/v1/logout", s.logout)
	mux.HandleFunc("/v1/trips", s.createTrip)
	mux.HandleFunc("/v1/trips/", s.trip)
	mux.HandleFunc("/v1/pins/verify", s.verifyPIN)
	mux.HandleFunc("/v1/ops/stats", s.stats)
	mux.HandleFunc("/v1/partners/oauth/start", s.oauthStart)
	mux.HandleFunc("/v1/partners/oauth/callback", s.oauthCallback)
	mux.HandleFunc("/v1/location", s.location)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return t
	}
	return ""
}

func (s *Server) managerFor(role string) *session.Manager {
	if role == "driver" {
		return s.drivers
	}
	return s.riders
}

// authenticate resolves the caller's session into dst.
func (s *Server) authenticate(r *http.Request, dst *session.Session) error {
	role, id, ok := strings.Cut(bearer(r), ".")
	if !ok {
		return session.ErrExpired
	}
	m := s.managerFor(role)
	if err := m.Load(r.Context(), id, dst); err != nil {
		return err
	}
	if revoked, err := m.Revoked(r.Context(), dst); err != nil {
		return err
	} else if revoked {
		return session.ErrExpired
	}
	return nil
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Role    string `json:"role"`
		Subject string `json:"subject"`
		Device  string `json:"device"`
		OnShift bool   `json:"on_shift"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Subject == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	sess, refresh, err := s.managerFor(req.Role).Create(r.Context(), req.Subject, req.Device, req.OnShift)
	if err != nil {
		s.log.Error("sign in", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Token   string    `json:"token"`
		Refresh string    `json:"refresh"`
		Expires time.Time `json:"expires"`
	}{req.Role + "." + sess.ID, refresh, sess.ExpiresAt})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	role, id, ok := strings.Cut(bearer(r), ".")
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := s.managerFor(role).End(r.Context(), id); err != nil {
		s.log.Warn("logout", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createTrip(w http.ResponseWriter, r *http.Request) {
	var sess session.Session
	if err := s.authenticate(r, &sess); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var req struct {
		Pickup struct{ Lat, Lng float64 } `json:"pickup"`
		Dest   struct {
			Lat, Lng float64
			Label    string
		} `json:"dest"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	t := &trip.Trip{
		ID:    newID(),
		Rider: sess.Subject,
		Zone:  driverindex.Encode(req.Pickup.Lat, req.Pickup.Lng, driverindex.Precision),
		ETA:   time.Now().Add(12 * time.Minute),
	}
	if err := s.trips.Open(r.Context(), t); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	label := req.Dest.Label
	context.AfterFunc(r.Context(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		key := "recent-dest:" + sess.Subject
		var recent []string
		if err := kvstore.Load(ctx, s.kv, key, &recent); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return
		}
		recent = append([]string{label}, recent...)
		if len(recent) > 5 {
			recent = recent[:5]
		}
		_ = kvstore.Save(ctx, s.kv, key, recent, 90*24*time.Hour) // EXPECT kvrace
	})
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) trip(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/v1/trips/")
	id, action, _ := strings.Cut(rest, "/")

	fail := func(code int, err error) {
		s.log.Info("trip request failed", "trip", id, "action", action, "err", err)
		http.Error(w, http.StatusText(code), code)
	}

	var sess session.Session
	if err := s.authenticate(r, &sess); err != nil {
		fail(http.StatusUnauthorized, err)
		return
	}
	defer func() {
		_ = s.kv.Put(context.WithoutCancel(r.Context()), "dispatch:last-request", []byte(time.Now().UTC().Format(time.RFC3339Nano)), 0) // EXPECT kvhotkey
	}()
	if err := s.managerFor(sess.Role).Touch(r.Context(), sess.ID); err != nil {
		s.log.Warn("touch session", "err", err)
	}

	switch action {
	case "":
		var t trip.Trip
		switch err := s.trips.Get(r.Context(), id, &t); {
		case errors.Is(err, trip.ErrUnknown):
			fail(http.StatusNotFound, err)
		case err != nil:
			fail(http.StatusServiceUnavailable, err)
		default:
			writeJSON(w, http.StatusOK, t)
		}
	case "status":
		var req struct {
			Status string `json:"status"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			fail(http.StatusBadRequest, err)
			return
		}
		if err := s.trips.Advance(id, req.Status, sess.Subject); err != nil {
			fail(http.StatusServiceUnavailable, err)
			return
		}
		if req.Status == "completed" {
			time.AfterFunc(5*time.Minute, func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = s.kv.Delete(ctx, "eta:"+id)
			})
		}
		w.WriteHeader(http.StatusAccepted)
	case "cancel":
		if sess.Role != "driver" {
			_ = s.trips.Advance(id, "cancelled", sess.Subject)
			w.WriteHeader(http.StatusAccepted)
			return
		}
		n, err := s.cancels.Record(r.Context(), sess.Subject, time.Now())
		if err != nil {
			fail(http.StatusServiceUnavailable, err)
			return
		}
		s.tally.Add(sess.Subject)
		_ = s.trips.Advance(id, "cancelled", sess.Subject)
		writeJSON(w, http.StatusAccepted, map[string]int{"cancellations_today": n})
	case "pin":
		code, err := ridepin.Issue(r.Context(), s.kv, id)
		switch {
		case errors.Is(err, ridepin.ErrAlreadyIssued):
			fail(http.StatusConflict, err)
		case err != nil:
			fail(http.StatusServiceUnavailable, err)
		default:
			writeJSON(w, http.StatusCreated, map[string]string{"pin": code})
		}
	default:
		fail(http.StatusNotFound, errors.New("unknown action"))
	}
}

func (s *Server) verifyPIN(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Trip string `json:"trip"`
		PIN  string `json:"pin"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	switch err := ridepin.Verify(r.Context(), s.kv, req.Trip, req.PIN); {
	case err == nil:
		_ = s.trips.Advance(req.Trip, "on_trip", "pin")
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, ridepin.ErrMismatch), errors.Is(err, ridepin.ErrNoPIN):
		http.Error(w, "incorrect pin", http.StatusForbidden)
	case errors.Is(err, ridepin.ErrLocked):
		http.Error(w, "locked", http.StatusTooManyRequests)
	default:
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	var q struct {
		Active  int `json:"active"`
		Waiting int `json:"waiting"`
	}
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	at := time.Now().UTC()
	err := s.trips.Submit(func(ctx context.Context) error {
		snap := struct {
			Active  int       `json:"active"`
			Waiting int       `json:"waiting"`
			At      time.Time `json:"at"`
		}{q.Active, q.Waiting, at}
		return kvstore.Save(ctx, s.kv, "fleet:stats:latest", snap, 0) // EXPECT kvhotkey
	})
	if err != nil {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) oauthStart(w http.ResponseWriter, r *http.Request) {
	partner := r.URL.Query().Get("partner")
	if partner == "" {
		http.Error(w, "partner required", http.StatusBadRequest)
		return
	}
	state := newID()
	if err := s.kv.Put(r.Context(), "oauth-state:"+state, []byte(partner), 10*time.Minute); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "https://fleet-idp.example.com/authorize?state="+state, http.StatusFound)
}

func (s *Server) oauthCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	if state == "" {
		http.Error(w, "state required", http.StatusBadRequest)
		return
	}
	stateKey := "oauth-state:" + state
	partner, ok, err := s.kv.Lookup(r.Context(), stateKey)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.Error(w, "unknown state", http.StatusForbidden)
		return
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
		defer cancel()
		_ = s.kv.Delete(ctx, stateKey) // EXPECT kvsession
	}()
	writeJSON(w, http.StatusOK, map[string]string{"partner": string(partner), "status": "linked"})
}

func (s *Server) location(w http.ResponseWriter, r *http.Request) {
	var sess session.Session
	if err := s.authenticate(r, &sess); err != nil || sess.Role != "driver" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var req struct {
		Lat, Lng float64
		Vehicle  string
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	s.index.Report(driverindex.Position{Driver: sess.Subject, Lat: req.Lat, Lng: req.Lng, Vehicle: req.Vehicle, Seen: time.Now().UTC()})
	w.WriteHeader(http.StatusAccepted)
}
