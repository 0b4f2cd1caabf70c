//go:build js && wasm

// Package quota enforces the per-IP request budget on the public endpoints
// and the monthly download allowance of each subscription tier.
package quota

import (
	"context"
	"errors"
	"strconv"
	"time"

	"bittern/internal/edgekv"
	"bittern/internal/kvctx"
	"bittern/internal/loader"
	"bittern/internal/model"
	"bittern/internal/origin"
)

// ErrLimited means the caller has used up its budget.
var ErrLimited = errors.New("quota: limit reached")

const (
	perIPPerMinute = 120
	// windowTTL keeps a per-minute window around a little longer than the
	// minute it counts, so late requests still find it.
	windowTTL  = 2 * time.Minute
	monthlyTTL = 40 * 24 * time.Hour
)

var plans = &loader.Loader[string, model.Plan]{
	Key: func(tier string) string { return "plan:" + tier },
	Fetch: func(ctx context.Context, tier string) (model.Plan, error) {
		return origin.Fetch[model.Plan](ctx, origin.Path("plans", tier))
	},
	TTL: time.Hour,
}

// AllowIP charges one request to ip's budget for the current minute.
func AllowIP(ctx context.Context, ip string, now time.Time) error {
	s := kvctx.From(ctx)
	key := s.Key("rl", ip, now.UTC().Format("200601021504"))
	n := 0
	raw, ok, err := s.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if ok {
		n, _ = strconv.Atoi(raw)
	}
	if n >= perIPPerMinute {
		return ErrLimited
	}
	return s.Put(ctx, key, strconv.Itoa(n+1), windowTTL) // EXPECT kvcounter
}

type usage struct {
	Used  int       `json:"used"`
	Since time.Time `json:"since"`
}

func usageKey(s edgekv.KV, subID string, now time.Time) string {
	return s.Key("quota", subID, now.UTC().Format("2006-01"))
}

// ChargeDownload counts one episode download against the subscriber's
// monthly allowance.
func ChargeDownload(ctx context.Context, sub model.Subscriber, now time.Time) error {
	plan, err := plans.Load(ctx, sub.Tier)
	if err != nil {
		return err
	}
	s := kvctx.From(ctx)
	key := usageKey(s, sub.ID, now)
	var u usage
	switch err := s.Read(key).Into(ctx, &u); {
	case errors.Is(err, edgekv.ErrNotFound):
		u.Since = now
	case err != nil:
		return err
	}
	if plan.MonthlyDownloads > 0 && u.Used >= plan.MonthlyDownloads {
		return ErrLimited
	}
	u.Used++
	return s.Write(key).TTL(monthlyTTL).JSON(u).Do(ctx) // EXPECT kvcounter
}
