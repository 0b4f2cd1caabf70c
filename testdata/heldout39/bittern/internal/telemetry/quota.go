package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Quota tracks how many messages each device sent today. Counts are kept in
// memory and published to the tenant's namespace on every flush so that
// the billing console can show them.
type Quota struct {
	l     *Limiter
	daily int64
	log   *log.Logger

	mu   sync.Mutex
	used map[string]map[string]int64 // tenant -> device -> messages today
	day  string
}

// NewQuota returns a quota tracker sharing l's namespaces.
func NewQuota(l *Limiter, daily int64, logger *log.Logger) *Quota {
	return &Quota{l: l, daily: daily, log: logger, used: make(map[string]map[string]int64), day: today()}
}

func today() string { return time.Now().UTC().Format("2006-01-02") }

// Add counts n messages for device and reports whether it is still within
// its daily quota.
func (q *Quota) Add(tenant, device string, n int64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if d := today(); d != q.day {
		q.used, q.day = make(map[string]map[string]int64), d
	}
	m := q.used[tenant]
	if m == nil {
		m = make(map[string]int64)
		q.used[tenant] = m
	}
	m[device] += n
	return m[device] <= q.daily
}

// Run flushes counts every interval until ctx is done.
func (q *Quota) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := q.Flush(ctx); err != nil {
				q.log.Printf("quota flush: %v", err)
			}
		}
	}
}

// Flush publishes the current counts.
func (q *Quota) Flush(ctx context.Context) error {
	q.mu.Lock()
	day := q.day
	snap := make(map[string]map[string]int64, len(q.used))
	for tenant, m := range q.used {
		c := make(map[string]int64, len(m))
		for dev, n := range m {
			c[dev] = n
		}
		snap[tenant] = c
	}
	q.mu.Unlock()

	var errs []error
	for tenant, m := range snap {
		ns, err := q.l.namespace(tenant)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pairs := make([]*cloudflare.WorkersKVPair, 0, len(m))
		for dev, n := range m {
			pairs = append(pairs, &cloudflare.WorkersKVPair{
				Key:           path.Join("quota", day, dev),
				Value:         strconv.FormatInt(n, 10),
				ExpirationTTL: 36 * 60 * 60,
			})
		}
		if _, err := q.l.api.WriteWorkersKVEntries(ctx, q.l.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs}); err != nil { // EXPECT kvcounter
			errs = append(errs, fmt.Errorf("tenant %s: %w", tenant, err))
		}
	}
	return errors.Join(errs...)
}

// SetTenantQuota stores the daily message allowance a tenant bought, so
// the ingest edge can enforce it.
func (q *Quota) SetTenantQuota(ctx context.Context, tenant string, perDevice int64) error {
	ns, err := q.l.namespace(tenant)
	if err != nil {
		return err
	}
	key := strings.Join([]string{"quota-plan", tenant}, "/")
	_, err = q.l.api.WriteWorkersKVEntry(ctx, q.l.rc, cloudflare.WriteWorkersKVEntryParams{ // DEBATABLE kvcounter
		NamespaceID: ns,
		Key:         key,
		Value:       []byte(strconv.FormatInt(perDevice, 10)),
	})
	return err
}
