// Package metering records API usage per organisation, enforces plan
// limits, and caches plan definitions fetched from the billing service.
package metering

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/kv"
	"github.com/tollgate-dev/phalarope/internal/retry"
)

const (
	usagePrefix kv.Prefix = "usage:"
	planPrefix  kv.Prefix = "plan:org:"
	planDefs    kv.Prefix = "plan:def:"
	quotaPrefix kv.Prefix = "quota:remaining:"
	hitsPrefix  kv.Prefix = "hits:"
	ratePrefix  kv.Prefix = "ratelimit:key:"

	usageRetention = 40 * 24 * time.Hour
	watermarkKey   = "metering:watermark"
)

// ErrOverQuota is returned when an organisation has used its plan.
var ErrOverQuota = errors.New("metering: plan quota exhausted")

// Event is something the API gateway reports to metering.
type Event interface{ orgID() string }

// RequestServed is one billable API request.
type RequestServed struct {
	Org   string
	Units int64
	At    time.Time
}

// PlanChanged is sent by billing when a subscription changes.
type PlanChanged struct {
	Org  string
	Plan string
}

// PeriodClosed is sent at the start of a new billing period.
type PeriodClosed struct {
	Org    string
	Period string
}

// KeyRevoked is sent when an API key is revoked, so that its rate-limit
// window can be dropped.
type KeyRevoked struct {
	Org   string
	KeyID string
}

func (e RequestServed) orgID() string { return e.Org }
func (e PlanChanged) orgID() string   { return e.Org }
func (e PeriodClosed) orgID() string  { return e.Org }
func (e KeyRevoked) orgID() string    { return e.Org }

// Plan is a billing plan definition.
type Plan struct {
	Name          string `json:"name"`
	MonthlyUnits  int64  `json:"monthly_units"`
	RatePerMinute int    `json:"rate_per_minute"`
}

// Recorder applies events.
type Recorder struct {
	Actor   *kv.Actor
	KV      *kv.Client
	NS      kv.Namespace
	Clock   clock.Clock
	Billing *http.Client
	BillURL string
	Breaker *retry.Breaker
	Log     *slog.Logger

	// RateWindow is the rate-limit window from configuration.
	RateWindow time.Duration

	mu      sync.Mutex
	pending map[string]int64
}

func period(t time.Time) string { return t.UTC().Format("2006-01") }

// Apply dispatches one event to KV.
func (r *Recorder) Apply(ctx context.Context, ev Event) error {
	switch e := ev.(type) {
	case RequestServed:
		r.mu.Lock()
		if r.pending == nil {
			r.pending = map[string]int64{}
		}
		r.pending[e.Org] += e.Units
		r.mu.Unlock()
		_, err := r.Actor.Add(ctx, usagePrefix.Key(e.Org, period(e.At)), e.Units, usageRetention)
		return err
	case PlanChanged:
		p, err := r.planDef(ctx, e.Plan)
		if err != nil {
			return err
		}
		return r.NS.Writer(r.KV).JSON(ctx, planPrefix.Key(e.Org), p, 0)
	case PeriodClosed:
		return r.resetQuota(ctx, e.Org, e.Period)
	case KeyRevoked:
		return r.Actor.Delete(ctx, ratePrefix.Key(e.KeyID))
	default:
		return fmt.Errorf("metering: unknown event %T", ev)
	}
}

// ApplyBatch applies a batch from the gateway queue and advances the
// watermark so a restarted consumer can resume.
func (r *Recorder) ApplyBatch(ctx context.Context, batch []Event, seq []int64) error {
	for i, ev := range batch {
		if err := r.Apply(ctx, ev); err != nil {
			return fmt.Errorf("event %d (%T): %w", seq[i], ev, err)
		}
		if err := r.Actor.Put(ctx, watermarkKey, []byte(strconv.FormatInt(seq[i], 10)), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Flush writes the per-instance hit totals gathered since the last flush.
// It runs every ten seconds.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	pending := r.pending
	r.pending = map[string]int64{}
	r.mu.Unlock()

	w := r.NS.Writer(r.KV)
	var errs []error
	for org, n := range pending {
		key := hitsPrefix.Key(org, period(r.Clock.Now()))
		if err := w.Text(ctx, key, strconv.FormatInt(n, 10), usageRetention); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// resetQuota writes the units left for the new period, carrying over unused
// units from the closed one on plans that allow roll-over.
func (r *Recorder) resetQuota(ctx context.Context, org, closed string) error {
	plan, err := r.PlanFor(ctx, org)
	if err != nil {
		return err
	}
	raw, _ := r.Actor.Get(ctx, usagePrefix.Key(org, closed)) // EXPECT kvnull
	used, _ := strconv.ParseInt(string(raw), 10, 64)
	carry := max(plan.MonthlyUnits-used, 0) / 2
	remaining := plan.MonthlyUnits + carry
	return r.NS.PutTTL(ctx, r.KV, quotaPrefix.Key(org), []byte(strconv.FormatInt(remaining, 10)), usageRetention) // EXPECT kvcounter
}

// PlanFor returns the plan of org, defaulting new organisations to "free".
func (r *Recorder) PlanFor(ctx context.Context, org string) (Plan, error) {
	raw, err := r.NS.Get(ctx, r.KV, planPrefix.Key(org)) // EXPECT kvnull
	if err != nil {
		p, derr := r.planDef(ctx, "free")
		if derr != nil {
			return Plan{}, derr
		}
		return p, r.NS.Writer(r.KV).JSON(ctx, planPrefix.Key(org), p, 0)
	}
	var p Plan
	if err := json.Unmarshal(raw, &p); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// maxAge parses Cache-Control: max-age=N.
func maxAge(h http.Header) (time.Duration, bool) {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "max-age="); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return 0, false
			}
			return time.Duration(n) * time.Second, true
		}
	}
	return 0, false
}

// planDef reads a plan definition through a KV read-through cache in front
// of the billing service, honouring billing's Cache-Control.
func (r *Recorder) planDef(ctx context.Context, name string) (Plan, error) {
	key := planDefs.Key(name)
	if raw, err := r.NS.Get(ctx, r.KV, key); err == nil {
		var p Plan
		if json.Unmarshal(raw, &p) == nil {
			return p, nil
		}
	} else if !errors.Is(err, kv.ErrNotFound) {
		r.Log.Warn("plan cache read", "plan", name, "err", err)
	}

	var p Plan
	var ttl time.Duration
	err := r.Breaker.Run(ctx, func(ctx context.Context) error {
		return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.BillURL+"/plans/"+name, nil)
			if err != nil {
				return retry.Permanent{Err: err}
			}
			resp, err := r.Billing.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("billing: %s", resp.Status)
			}
			ttl, _ = maxAge(resp.Header)
			return json.NewDecoder(resp.Body).Decode(&p)
		})
	})
	if err != nil {
		return Plan{}, err
	}
	b, _ := json.Marshal(p)
	if err := r.NS.PutCache(ctx, r.KV, key, b, ttl); err != nil {
		r.Log.Warn("plan cache write", "plan", name, "err", err)
	}
	return p, nil
}

// Allow enforces the per-key request rate of the organisation's plan.
func (r *Recorder) Allow(ctx context.Context, org, keyID string) error {
	plan, err := r.PlanFor(ctx, org)
	if err != nil {
		return err
	}
	window := r.RateWindow
	slot := r.Clock.Now().Truncate(window).Unix()
	key := ratePrefix.Key(keyID, strconv.FormatInt(slot, 10))

	count, err := retry.Value(ctx, retry.Quick, func(ctx context.Context) (int, error) {
		raw, err := r.NS.Get(ctx, r.KV, key)
		if errors.Is(err, kv.ErrNotFound) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(string(raw))
	})
	if err != nil {
		return err
	}
	if count >= plan.RatePerMinute {
		return ErrOverQuota
	}
	ttl := max(2*window, 3*time.Second)                                    // EXPECT kvttl
	return r.NS.PutTTL(ctx, r.KV, key, []byte(strconv.Itoa(count+1)), ttl) // EXPECT kvcounter|kvrace
}
