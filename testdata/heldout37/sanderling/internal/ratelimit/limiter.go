// Package ratelimit enforces the per-key request rate of each plan.
package ratelimit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"sanderling/internal/config"
)

// Decision is the outcome of Allow.
type Decision struct {
	Allowed     bool
	CoolingDown bool
	Limit       int
	Remaining   int
	Reset       time.Time
}

// Limiter counts requests per key in fixed windows of config.RateWindow.
type Limiter struct {
	api *cfv0.API
	rc  *cfv0.ResourceContainer
	ns  string
	now func() time.Time
}

// New returns a Limiter that keeps its windows in namespace ns.
func New(api *cfv0.API, rc *cfv0.ResourceContainer, ns string) *Limiter {
	return &Limiter{api: api, rc: rc, ns: ns, now: time.Now}
}

func windowKey(keyID string, start time.Time) string {
	return fmt.Sprint("ratelimit:", keyID, ":", start.Unix())
}

func isNotFound(err error) bool {
	var nf *cfv0.NotFoundError
	return errors.As(err, &nf)
}

func (l *Limiter) get(ctx context.Context, key string) ([]byte, error) {
	return l.api.GetWorkersKV(ctx, l.rc, cfv0.GetWorkersKVParams{NamespaceID: l.ns, Key: key})
}

// Allow records one request of keyID and reports whether it fits the plan.
func (l *Limiter) Allow(ctx context.Context, keyID, plan string) (Decision, error) {
	now := l.now()
	start := now.Truncate(config.RateWindow)
	d := Decision{
		Limit: cmp.Or(config.RatePerWindow[plan], config.RatePerWindow["free"]),
		Reset: start.Add(config.RateWindow),
	}
	if _, err := l.get(ctx, "cooldown:"+keyID); err == nil {
		d.CoolingDown = true
		return d, nil
	} else if !isNotFound(err) {
		return d, err
	}
	k := windowKey(keyID, start)
	n := 0
	raw, err := l.get(ctx, k)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return d, fmt.Errorf("ratelimit: corrupt window %s: %w", k, err)
		}
	case !isNotFound(err):
		return d, err
	}
	d.Remaining = max(d.Limit-n-1, 0)
	if n >= d.Limit {
		return d, nil
	}
	d.Allowed = true
	ttl := d.Reset.Sub(now)
	_, err = l.api.WriteWorkersKVEntries(ctx, l.rc, cfv0.WriteWorkersKVEntriesParams{ // EXPECT kvcounter
		NamespaceID: l.ns,
		KVs: []*cfv0.WorkersKVPair{{
			Key:           k,
			Value:         strconv.Itoa(n + 1),
			ExpirationTTL: int(ttl.Seconds()), // EXPECT kvttl
		}},
	})
	return d, err
}

// Penalize blocks keyID for twice its retry-after once it hits the limit.
func (l *Limiter) Penalize(ctx context.Context, keyID string, retryAfter time.Duration) error {
	ttl := max(2*retryAfter, config.TTLs["cooldown"])
	_, err := l.api.WriteWorkersKVEntries(ctx, l.rc, cfv0.WriteWorkersKVEntriesParams{
		NamespaceID: l.ns,
		KVs: []*cfv0.WorkersKVPair{{
			Key:           "cooldown:" + keyID,
			Value:         l.now().Add(ttl).UTC().Format(time.RFC3339),
			ExpirationTTL: int(ttl.Seconds()), // EXPECT kvttl
		}},
	})
	return err
}

// Remaining reports what keyID has left in the current window.
func (l *Limiter) Remaining(ctx context.Context, keyID, plan string) int {
	limit := cmp.Or(config.RatePerWindow[plan], config.RatePerWindow["free"])
	raw, _ := l.get(ctx, windowKey(keyID, l.now().Truncate(config.RateWindow))) // EXPECT kvnull
	used, _ := strconv.Atoi(string(raw))
	return max(limit-used, 0)
}

// SetPlanQuota records the monthly quota of a plan for the billing page.
func (l *Limiter) SetPlanQuota(ctx context.Context, plan string) error {
	q, ok := config.MonthlyQuota[plan]
	if !ok {
		return fmt.Errorf("ratelimit: unknown plan %q", plan)
	}
	_, err := l.api.WriteWorkersKVEntry(ctx, l.rc, cfv0.WriteWorkersKVEntryParams{ // DEBATABLE kvcounter
		NamespaceID: l.ns,
		Key:         "quota:plan:" + plan,
		Value:       strconv.AppendInt(nil, q, 10),
	})
	return err
}
