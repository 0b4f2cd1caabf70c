// Package presence keeps a live connection to staff devices and records
// which attendants are on shift.
package presence

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/store"
)

// Service serves the device stream and the on-shift list.
type Service struct {
	kv    store.KV
	ttl   time.Duration
	every time.Duration
	log   *slog.Logger
}

// New returns the service; ttl is how long a presence entry outlives its
// last heartbeat and every is the heartbeat period.
func New(kv store.KV, ttl, every time.Duration, log *slog.Logger) *Service {
	return &Service{kv: kv, ttl: ttl, every: every, log: log}
}

// heartbeat keeps the connection's presence entry alive until ctx ends.
func (s *Service) heartbeat(ctx context.Context, propertyID, floor, staffID, conn string) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	key := "presence:staff:" + propertyID + ":" + staffID + ":" + conn
	for {
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := s.kv.Put(ctx, key, stamp, store.WithTTL(s.ttl), store.WithMetadata(map[string]string{"floor": floor})); err != nil {
			s.log.WarnContext(ctx, "presence heartbeat", "err", err)
		}
		if floor != "" {
			if err := s.kv.Put(ctx, "presence:floor:"+propertyID+":"+floor, []byte(staffID), store.WithTTL(s.ttl)); err != nil { // DEBATABLE kvhotkey
				s.log.WarnContext(ctx, "floor heartbeat", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Stream serves GET /properties/{property}/events as server-sent events for
// as long as the device stays connected.
func (s *Service) Stream(w http.ResponseWriter, r *http.Request) error {
	p, _ := httpx.PrincipalFrom(r.Context())
	fl, ok := w.(http.Flusher)
	if p.StaffID == "" || !ok {
		return fmt.Errorf("%w: staff devices only", httpx.ErrForbidden)
	}
	ctx := r.Context()
	go s.heartbeat(ctx, r.PathValue("property"), r.URL.Query().Get("floor"), p.StaffID, httpx.NewID())
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		fmt.Fprintf(w, "event: ping\ndata: %d\n\n", time.Now().Unix())
		fl.Flush()
		select {
		case <-ctx.Done():
			return nil
		case <-ping.C:
		}
	}
}
