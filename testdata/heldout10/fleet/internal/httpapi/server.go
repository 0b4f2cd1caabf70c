// Package httpapi is the HTTP surface of fleetd: the device API and the
// operator console API.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/fleet/internal/alerts"
	"example.com/fleet/internal/devices"
	"example.com/fleet/internal/kvstore"
	"example.com/fleet/internal/opsession"
	"example.com/fleet/internal/rollout"
	"example.com/fleet/internal/shadow"
	"example.com/fleet/internal/telemetry"
)

// Deps is everything the handlers need. Save and Load are usually the
// store's own methods; tests swap in closures.
type Deps struct {
	Save     kvstore.SaveFunc
	Load     func(ctx context.Context, key string) ([]byte, error)
	Devices  kvstore.Lister
	Registry *devices.Registry
	Shadows  *shadow.Service
	Sessions *opsession.Manager
	Rollups  *telemetry.Rollups
	Alerts   *alerts.Engine
	Rollouts *rollout.Service
	Events   chan<- telemetry.Event
	PageSize int
	Log      *slog.Logger
}

type Server struct {
	d Deps
}

// New returns the root handler.
func New(d Deps) http.Handler {
	s := &Server{d: d}
	device := map[string]http.HandlerFunc{
		"POST /v1/provision":                s.provision,
		"POST /v1/devices/{id}/heartbeat":   s.heartbeat,
		"POST /v1/devices/{id}/telemetry":   s.telemetry,
		"PUT /v1/devices/{id}/shadow/state": s.reportShadow,
	}
	console := map[string]http.HandlerFunc{
		"GET /console/devices":                 s.listDevices,
		"GET /console/devices/{id}/shadow":     s.viewShadow,
		"PATCH /console/devices/{id}":          s.patchDevice,
		"POST /console/alerts/{id}/ack":        s.ackAlert,
		"GET /console/pages/{page}":            s.page,
		"POST /console/tokens":                 s.issueToken,
		"POST /console/tokens/{token}/reissue": s.reissueToken,
		"POST /console/rollouts/{id}/start":    s.startRollout,
		"POST /console/rollouts/{id}/batch":    s.pushBatch,
	}
	mux := http.NewServeMux()
	mux.Handle("POST /console/logout", chain(http.HandlerFunc(d.Sessions.Logout), recoverer(d.Log), requestLog(d.Log)))
	for pattern, h := range device {
		mux.Handle(pattern, chain(h, recoverer(d.Log), requestLog(d.Log)))
	}
	for pattern, h := range console {
		mux.Handle(pattern, chain(h, recoverer(d.Log), requestLog(d.Log), d.Sessions.Middleware, s.audit))
	}
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, devices.ErrTokenInvalid), errors.Is(err, devices.ErrSerialTaken):
		status = http.StatusConflict
	case errors.Is(err, devices.ErrTooManyTries):
		status = http.StatusTooManyRequests
	}
	s.d.Log.Warn("request failed", "err", err, "status", status)
	http.Error(w, http.StatusText(status), status)
}

func (s *Server) provision(w http.ResponseWriter, r *http.Request) {
	var req struct{ Token, Firmware string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	dev, err := s.d.Registry.Redeem(r.Context(), req.Token, req.Firmware)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, dev)
}

// heartbeat is called by every device every 30 seconds.
func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if serial := r.Header.Get("X-Device-Serial"); serial != "" {
		if err := s.d.Registry.Touch(r.Context(), id, serial, r.Header.Get("X-Firmware")); err != nil {
			s.fail(w, err)
			return
		}
	}
	now := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := s.d.Save(r.Context(), "hb:"+id, now, kvstore.WithTTL(10*time.Minute)); err != nil {
		s.fail(w, err)
		return
	}
	if err := s.d.Save(r.Context(), "fleet:last-heartbeat", now); err != nil { // EXPECT kvhotkey
		s.d.Log.Warn("fleet heartbeat", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) telemetry(w http.ResponseWriter, r *http.Request) {
	var batch []struct {
		Metric string    `json:"metric"`
		Value  float64   `json:"value"`
		At     time.Time `json:"at"`
	}
	if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	id := r.PathValue("id")
	for _, b := range batch {
		select {
		case s.d.Events <- telemetry.Reading{Device: id, Metric: b.Metric, Value: b.Value, At: b.At}:
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) reportShadow(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Version int            `json:"version"`
		State   map[string]any `json:"state"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.d.Shadows.Report(r.Context(), r.PathValue("id"), body.State, body.Version); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listDevices returns one page; the console passes the cursor back for more.
func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) {
	limit := s.d.PageSize
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 && n < limit {
		limit = n
	}
	page, err := s.d.Devices.List(r.Context(), "dev:", r.URL.Query().Get("cursor"), limit)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": page.Entries, "cursor": page.Cursor})
}

func (s *Server) viewShadow(w http.ResponseWriter, r *http.Request) {
	v, err := s.d.Shadows.View(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) patchDevice(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Labels  map[string]string `json:"labels"`
		Desired map[string]any    `json:"desired"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	id := r.PathValue("id")
	if len(body.Labels) > 0 {
		if _, err := s.d.Registry.SetLabels(r.Context(), id, body.Labels); err != nil {
			s.fail(w, err)
			return
		}
	}
	if len(body.Desired) > 0 {
		if _, err := s.d.Shadows.SetDesired(r.Context(), id, body.Desired); err != nil {
			s.fail(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ackAlert(w http.ResponseWriter, r *http.Request) {
	op, _ := opsession.Operator(r.Context())
	if err := s.d.Alerts.Ack(r.Context(), r.PathValue("id"), op.Operator); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// page serves a help page and keeps a view count for the docs team.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	name := strings.ToLower(r.PathValue("page"))
	key := "stats:views:" + name
	views := 0
	if raw, err := s.d.Load(r.Context(), key); err == nil {
		views, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		s.fail(w, err)
		return
	}
	if err := s.d.Save(r.Context(), key, []byte(strconv.Itoa(views+1))); err != nil { // EXPECT kvcounter
		s.d.Log.Warn("page views", "err", err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"page": name, "views": views + 1})
}

func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	var req struct{ Serial, Model string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Serial == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	pt, err := s.d.Registry.IssueToken(r.Context(), req.Serial, req.Model)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, pt)
}

func (s *Server) reissueToken(w http.ResponseWriter, r *http.Request) {
	pt, err := s.d.Registry.Reissue(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, pt)
}

func (s *Server) startRollout(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Rollouts.Start(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) pushBatch(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Manifest rollout.Manifest `json:"manifest"`
		Devices  []string         `json:"devices"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.d.Rollouts.PushBatch(r.Context(), r.PathValue("id"), req.Manifest, req.Devices); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
