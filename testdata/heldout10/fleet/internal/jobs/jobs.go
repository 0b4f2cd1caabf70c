// Package jobs runs fleetd's periodic background work.
package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"sync"
	"time"

	"example.com/fleet/internal/config"
	"example.com/fleet/internal/kvstore"
)

// Warehouse is the analytics database that holds the authoritative counts.
type Warehouse interface {
	CountDevices(ctx context.Context) (total, online int, err error)
}

// KeySource provides the current JWKS for operator API tokens.
type KeySource interface {
	JWKS(ctx context.Context) ([]byte, error)
}

// Job is one periodic task.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

type Scheduler struct {
	store kvstore.Writer
	jobs  []Job
	log   *slog.Logger
	host  string
}

func NewScheduler(store kvstore.Writer, wh Warehouse, ks KeySource, evaluate func(context.Context) error, log *slog.Logger) *Scheduler {
	host, _ := os.Hostname()
	s := &Scheduler{store: store, log: log, host: host}
	s.jobs = []Job{
		{Name: "fleet-summary", Every: config.SummaryInterval, Run: func(ctx context.Context) error { return s.summary(ctx, wh) }},
		{Name: "publish-jwks", Every: time.Hour, Run: func(ctx context.Context) error { return s.publishJWKS(ctx, ks) }},
		{Name: "alerts", Every: time.Minute, Run: evaluate},
	}
	return s
}

// Run starts every job and the liveness loop, and blocks until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, j := range s.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.loop(ctx, j)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.liveness(ctx)
	}()
	wg.Wait()
}

func (s *Scheduler) loop(ctx context.Context, j Job) {
	t := time.NewTicker(j.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := j.Run(ctx); err != nil {
				s.log.Error("job failed", "job", j.Name, "err", err)
			}
		}
	}
}

// liveness lets the ops dashboard see that the scheduler is alive.
func (s *Scheduler) liveness(ctx context.Context) {
	t := time.NewTicker(config.HeartbeatFlush)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			b, _ := json.Marshal(map[string]any{"host": s.host, "at": now.UTC()})
			if err := s.store.Put(ctx, "scheduler:heartbeat", b); err != nil { // EXPECT kvhotkey
				s.log.Warn("liveness", "err", err)
			}
		}
	}
}

// summary refreshes the fleet overview from the warehouse.
func (s *Scheduler) summary(ctx context.Context, wh Warehouse) error {
	total, online, err := wh.CountDevices(ctx)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(map[string]any{"devices": total, "online": online, "at": time.Now().UTC()})
	return s.store.Put(ctx, "fleet:summary", b, kvstore.WithTTL(3*config.SummaryInterval))
}

// publishJWKS copies the signing keys' public half into KV so edge workers
// can verify operator tokens without calling back.
func (s *Scheduler) publishJWKS(ctx context.Context, ks KeySource) error {
	jwks, err := ks.JWKS(ctx)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, "auth:jwks", jwks, kvstore.WithTTL(24*time.Hour))
}
