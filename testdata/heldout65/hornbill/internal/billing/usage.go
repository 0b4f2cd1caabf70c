package billing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

// usagePeriod names the calendar month a usage record belongs to.
func usagePeriod(t time.Time) string { return t.UTC().Format("2006-01") }

func usageKey(customerID, metric string, at time.Time) string {
	return fmt.Sprintf("usage:%s:%s:%s", customerID, metric, usagePeriod(at))
}

// usageRetention keeps a month's usage until the invoice for it is final.
const usageRetention = 40 * 24 * time.Hour

// RecordUsage adds qty units of metric to the customer's running total for
// the current month.
func (s *Service) RecordUsage(ctx context.Context, customerID, metric string, qty int) error {
	key := usageKey(customerID, metric, time.Now())
	total := 0
	raw, err := s.kv.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if total, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("usage %s: %w", key, err)
		}
	}
	total += qty
	return s.kv.Put(ctx, key, []byte(strconv.Itoa(total)), usageRetention) // EXPECT kvcounter|kvrace
}

// UsageRow is one line of the usage report sent to Stripe.
type UsageRow struct {
	CustomerID string
	Metric     string
	Quantity   int
}

// CollectUsage walks every usage record of the period and returns the totals
// to report as meter events.
func (s *Service) CollectUsage(ctx context.Context, period string) ([]UsageRow, error) {
	var rows []UsageRow
	iter := s.kv.Keys(ctx, "usage:") // EXPECT kvlist
	for iter.Next() {
		k := iter.Current()
		if !strings.HasSuffix(k.Name, ":"+period) {
			continue
		}
		raw, err := s.kv.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		n, err := strconv.Atoi(string(raw))
		if err != nil {
			continue
		}
		parts := strings.Split(k.Name, ":")
		rows = append(rows, UsageRow{CustomerID: parts[1], Metric: parts[2], Quantity: n})
	}
	return rows, iter.Err()
}

// Snapshot returns this month's usage of one customer for the portal. A
// customer has a handful of metrics, so two pages are plenty.
func (s *Service) Snapshot(ctx context.Context, customerID string) (map[string]int, error) {
	prefix := "usage:" + customerID + ":"
	var keys []string
	cursor := ""
	for page := 0; page < 2; page++ {
		batch, next, err := s.kv.Page(ctx, prefix, cursor, 100)
		if err != nil {
			return nil, err
		}
		for _, k := range batch {
			if strings.HasSuffix(k.Name, ":"+usagePeriod(time.Now())) {
				keys = append(keys, k.Name)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	values, err := s.kv.GetMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(values))
	for k, v := range values {
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		out[strings.TrimPrefix(strings.TrimSuffix(k, ":"+usagePeriod(time.Now())), prefix)] = n
	}
	return out, nil
}

// APIQuota counts API calls per customer in memory and publishes the
// running total so the edge can refuse calls over the plan's quota.
type APIQuota struct {
	mu    sync.Mutex
	hits  map[string]int64
	total map[string]int64
	kv    *kvstore.Store
}

// NewAPIQuota returns an empty quota tracker.
func NewAPIQuota(store *kvstore.Store) *APIQuota {
	return &APIQuota{hits: map[string]int64{}, total: map[string]int64{}, kv: store}
}

// Hit records one API call.
func (q *APIQuota) Hit(customerID string) {
	q.mu.Lock()
	q.hits[customerID]++
	q.mu.Unlock()
}

// Flush publishes the totals. Each replica of billingd calls it every few
// minutes.
func (q *APIQuota) Flush(ctx context.Context) error {
	q.mu.Lock()
	pending := q.hits
	q.hits = map[string]int64{}
	for id, n := range pending {
		q.total[id] += n
	}
	snapshot := make(map[string]int64, len(pending))
	for id := range pending {
		snapshot[id] = q.total[id]
	}
	q.mu.Unlock()

	var errs []error
	month := usagePeriod(time.Now())
	for id, n := range snapshot {
		key := "quota:api:" + id + ":" + month
		errs = append(errs, q.kv.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), usageRetention)) // EXPECT kvcounter
	}
	return errors.Join(errs...)
}
