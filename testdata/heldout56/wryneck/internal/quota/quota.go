// Package quota enforces per-sender daily send quotas.
package quota

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"wryneck/internal/newsletter"
	"wryneck/internal/opt"
	"wryneck/internal/tracing"
)

// ErrExceeded is returned when a send would exceed the sender's daily quota.
var ErrExceeded = errors.New("quota: daily send quota exceeded")

// Plan limits by tier.
var planLimits = map[string]int{"free": 300, "starter": 10_000, "growth": 100_000}

// Limiter tracks daily usage per sender.
type Limiter struct {
	store newsletter.Store
	now   func() time.Time
}

// New returns a Limiter.
func New(store newsletter.Store) *Limiter { return &Limiter{store: store, now: time.Now} }

// ConsumeRequest is one reservation of sends.
type ConsumeRequest struct {
	Sender string
	Plan   string
	Count  int
}

func dayKey(sender string, t time.Time) string {
	return fmt.Sprintf("quota:%s:%s", sender, t.UTC().Format("20060102"))
}

// Consume reserves req.Count sends for today.
func (l *Limiter) Consume(ctx context.Context, req ConsumeRequest) (err error) {
	ctx, end := tracing.Start(ctx, "quota.consume", tracing.Str("sender", req.Sender), tracing.Int("n", req.Count))
	defer end(&err)
	key := dayKey(req.Sender, l.now())
	used := 0
	raw, err := l.store.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("corrupt quota %q: %w", key, err)
		}
	case errors.Is(err, newsletter.ErrNotFound):
	default:
		return err
	}
	limit := planLimits[req.Plan]
	if used+req.Count > limit {
		return ErrExceeded
	}
	return l.store.Put(ctx, key, []byte(strconv.Itoa(used+req.Count)), newsletter.PutOptions{TTL: opt.Ptr(36 * time.Hour)}) // EXPECT kvcounter|kvrace
}

// Usage reports today's usage; it never writes.
func (l *Limiter) Usage(ctx context.Context, sender string) (int, error) {
	raw, err := l.store.Get(ctx, dayKey(sender, l.now()))
	if errors.Is(err, newsletter.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// PublishPlanLimits copies the plan table to KV so the edge can show limits
// without calling the backend. Called once at deploy.
func (l *Limiter) PublishPlanLimits(ctx context.Context) error {
	for plan, limit := range planLimits {
		if err := l.store.Put(ctx, "plans:"+plan, []byte(strconv.Itoa(limit)), newsletter.PutOptions{}); err != nil {
			return err
		}
	}
	return nil
}
