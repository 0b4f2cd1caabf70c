package tenants

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/ruffgate/ruff/internal/kv"
)

// Audit appends a line to the tenant's audit log for today without blocking
// the caller; failures are logged.
func (s *Service) Audit(ctx context.Context, id, event string) {
	link := trace.LinkFromContext(ctx)
	now := time.Now().UTC()
	go func() {
		ctx, span := tracer.Start(context.Background(), "tenants.audit", trace.WithLinks(link))
		defer span.End()
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()

		key := fmt.Sprintf("audit:%s:%s", id, now.Format("2006-01-02"))
		log := ""
		if raw, err := s.state.Get(ctx, key); err == nil {
			log = string(raw)
		} else if !errors.Is(err, kv.ErrNotFound) {
			s.log.Warn("audit read failed", "tenant", id, "err", err)
			return
		}
		log += now.Format(time.RFC3339) + " " + event + "\n"
		if err := s.state.Put(ctx, key, []byte(log), 90*24*time.Hour); err != nil { // EXPECT kvrace
			s.log.Warn("audit write failed", "tenant", id, "err", err)
		}
	}()
}

// Usage accumulates per-tenant request counts in memory; Flush publishes the
// day's totals to KV for the billing export.
type Usage struct {
	ns     *kv.Namespace
	mu     sync.Mutex
	day    string
	counts map[string]int64
}

func NewUsage(ns *kv.Namespace) *Usage { return &Usage{ns: ns, counts: map[string]int64{}} }

// Add counts n requests for tenant.
func (u *Usage) Add(tenant string, n int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if d := time.Now().UTC().Format("2006-01-02"); d != u.day {
		u.day, u.counts = d, map[string]int64{}
	}
	u.counts[tenant] += n
}

// Flush writes the current totals; the scheduler calls it every five minutes.
func (u *Usage) Flush(ctx context.Context) error {
	u.mu.Lock()
	day, snapshot := u.day, maps.Clone(u.counts)
	u.mu.Unlock()

	for tenant, n := range snapshot {
		key := fmt.Sprintf("usage-count:%s:%s", tenant, day)
		if err := u.ns.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), 35*24*time.Hour); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}
