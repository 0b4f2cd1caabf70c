//go:build js && wasm

// Package stations serves live station and dock status, accepts telemetry
// from station controllers, and streams updates to kiosk displays.
package stations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/shrike/edge/kvx"
	"example.com/shrike/internal/bus"
	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/httpx"
	"example.com/shrike/internal/kvop"
	"example.com/shrike/internal/ports"
)

type Service struct {
	status      ports.StatusStore
	ops         kvop.Exec
	ns          *kvx.Namespace
	presenceTTL time.Duration
	heartbeat   time.Duration
	log         *slog.Logger
	now         func() time.Time
}

type Settings struct {
	PresenceTTL time.Duration
	Heartbeat   time.Duration
}

func New(status ports.StatusStore, ops kvop.Exec, ns *kvx.Namespace, set Settings, log *slog.Logger) *Service {
	return &Service{
		status: status, ops: ops, ns: ns,
		presenceTTL: set.PresenceTTL, heartbeat: set.Heartbeat,
		log: log, now: time.Now,
	}
}

type ReportStation struct {
	Station string                      `json:"station"`
	Docks   map[string]domain.DockState `json:"docks"`
}

func (s *Service) Register(b *bus.Bus, mux *http.ServeMux) {
	bus.Register(b, s.Report)
	mux.Handle("POST /telemetry", bus.Handle(b, bus.JSONBody[ReportStation], httpx.StatusOf))
	mux.HandleFunc("GET /stations/nearby", s.nearby)
	mux.HandleFunc("GET /stations/{id}/events", s.events)
	mux.HandleFunc("GET /stations/{id}/wait", s.wait)
	mux.HandleFunc("GET /occupancy/{region}", s.occupancy)
}

// Report stores a controller's snapshot. Each station has its own key and the
// snapshot replaces the previous one wholesale.
func (s *Service) Report(ctx context.Context, c ReportStation) error {
	if c.Station == "" {
		return errors.New("station required")
	}
	now := s.now()
	st := domain.StationStatus{StationID: c.Station, Docks: c.Docks, Reported: domain.At(now)}
	st.Recount()
	if err := s.status.Put(ctx, st); err != nil {
		return err
	}
	stamp := []byte(strconv.FormatInt(now.Unix(), 10))
	seen := kvop.Op{
		Kind:  kvop.Put,
		Key:   "seen:station:" + c.Station,
		Value: stamp,
		TTL:   15 * time.Second, // EXPECT kvttl
	}
	if _, err := s.ops(ctx, seen); err != nil {
		return err
	}
	if _, err := s.ops(ctx, kvop.PutOp("network:last-telemetry", stamp, 0)); err != nil { // EXPECT kvhotkey
		s.log.Warn("network stamp", "err", err)
	}
	bus.Reply(ctx, map[string]int{"bikes": st.Bikes, "free": st.Free})
	return nil
}

// nearby returns the status of every station in a region.
func (s *Service) nearby(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page, err := s.status.Find(ctx, ports.Query{Prefix: r.URL.Query().Get("region") + ":", Limit: 50})
	if err != nil {
		httpx.Error(w, err)
		return
	}
	out := make([]domain.StationStatus, 0, len(page.Keys))
	for _, id := range page.Keys {
		st, err := s.status.Get(ctx, id) // EXPECT kvlist
		if err != nil {
			continue
		}
		out = append(out, st)
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"stations": out, "cursor": page.Next})
}

// occupancy serves the region's hour-of-week profile built by the back office.
func (s *Service) occupancy(w http.ResponseWriter, r *http.Request) {
	body, err := s.ns.Stream("occupancy:map:" + r.PathValue("region")) // EXPECT kvnull
	if err != nil {
		httpx.Error(w, err)
		return
	}
	var m domain.OccupancyMap
	if err := json.NewDecoder(body).Decode(&m); err != nil {
		httpx.Error(w, fmt.Errorf("occupancy map: %w", err))
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	httpx.JSON(w, http.StatusOK, m)
}
