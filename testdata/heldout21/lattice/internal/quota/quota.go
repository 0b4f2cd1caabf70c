// Package quota enforces per-author submission quotas and the rate at which
// Lattice calls organisers' outbound webhooks.
package quota

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/d1"
	"example.com/lattice/internal/platform/kvstore"
	"example.com/lattice/internal/platform/typedkv"
)

// ErrExceeded is returned when a quota or rate limit is used up.
var ErrExceeded = errors.New("quota: exceeded")

// Plan is an organiser's subscription tier.
type Plan string

// Limits are the numbers a plan allows.
type Limits struct {
	MaxSubmissionsPerAuthor int `json:"max_submissions_per_author"`
	WebhooksPerMinute       int `json:"webhooks_per_minute"`
	MaxTracks               int `json:"max_tracks"`
}

// Submissions limits how many papers one author may submit to a conference.
type Submissions struct {
	store kvstore.Store
	plans typedkv.Store[Plan, Limits]
}

// NewSubmissions wires the quota.
func NewSubmissions(store kvstore.Store) *Submissions {
	return &Submissions{store: store, plans: typedkv.New[Plan, Limits](store, "plan:")}
}

func usedKey(c conf.ConferenceID, a conf.AuthorID) string {
	return "quota:submissions:" + string(c) + ":" + string(a)
}

// Consume uses one submission of an author's quota.
func (q *Submissions) Consume(ctx context.Context, plan Plan, c conf.ConferenceID, a conf.AuthorID) (remaining int, err error) {
	limits, _ := q.plans.Get(ctx, plan) // EXPECT kvnull
	used := 0
	raw, err := q.store.Get(ctx, usedKey(c, a))
	switch {
	case kvstore.IsNotFound(err):
	case err != nil:
		return 0, err
	default:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("quota value: %w", err)
		}
	}
	if used >= limits.MaxSubmissionsPerAuthor {
		return 0, ErrExceeded
	}
	used++
	if err = q.store.Put(ctx, usedKey(c, a), []byte(strconv.Itoa(used))); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return limits.MaxSubmissionsPerAuthor - used, nil
}

// Webhooks limits outbound webhook calls per organiser per window.
type Webhooks struct {
	windows typedkv.Store[string, int]
	window  time.Duration
	limit   int
	now     func() time.Time
}

// NewWebhooks returns a limiter allowing limit calls per window.
func NewWebhooks(store kvstore.Store, window time.Duration, limit int) *Webhooks {
	return &Webhooks{
		windows: typedkv.New[string, int](store, "ratelimit:webhook:"),
		window:  window,
		limit:   limit,
		now:     time.Now,
	}
}

// Allow reports whether another call to org's endpoint may be made now.
func (w *Webhooks) Allow(ctx context.Context, org string) (bool, error) {
	start := w.now().Truncate(w.window)
	key := org + ":" + strconv.FormatInt(start.Unix(), 10)
	n, _, err := w.windows.Lookup(ctx, key)
	if err != nil {
		return false, err
	}
	if n >= w.limit {
		return false, nil
	}
	ttl := max(2*w.window, 5*time.Second)                     // EXPECT kvttl
	if err := w.windows.Put(ctx, key, n+1, ttl); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

// Durable is the webhook limiter backed by one Durable Object per organiser.
type Durable struct {
	objects *d1.Namespace
	window  time.Duration
	limit   int64
}

// NewDurable returns the Durable Object backed limiter.
func NewDurable(ns *d1.Namespace, window time.Duration, limit int64) *Durable {
	return &Durable{objects: ns, window: window, limit: limit}
}

// Allow reports whether another call may be made now.
func (d *Durable) Allow(_ context.Context, org string) (bool, error) {
	n := d.objects.Get("webhook:"+org).AddInWindow(time.Now(), d.window, 1)
	return n <= d.limit, nil
}
