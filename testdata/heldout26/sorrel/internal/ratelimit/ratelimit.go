// Package ratelimit throttles carrier partners and tracking-page visitors.
package ratelimit

import (
	"context"
	"errors"
	"log"
	"net/http"
	"strconv"
	"time"

	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/httpx"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
)

// PlanFunc resolves the plan of a caller.
type PlanFunc func(r *http.Request) domain.Plan

// Limiter counts requests per caller and window.
type Limiter struct {
	store  kvstore.Store
	ks     keyspace.Space
	planOf PlanFunc
	name   string
}

// Option configures a Limiter.
type Option interface{ apply(*Limiter) }

type nameOption string

func (o nameOption) apply(l *Limiter) { l.name = string(o) }

// Named sets the bucket name used in keys.
func Named(name string) Option { return nameOption(name) }

// New returns a limiter. A nil planOf treats everyone as PlanBasic.
func New(st kvstore.Store, ks keyspace.Space, planOf PlanFunc, opts ...Option) *Limiter {
	l := &Limiter{store: st, ks: ks, planOf: planOf, name: "api"}
	for _, o := range opts {
		o.apply(l)
	}
	if l.planOf == nil {
		l.planOf = func(*http.Request) domain.Plan { return domain.PlanBasic }
	}
	return l
}

func (l *Limiter) bucket(caller string, plan domain.Plan, now time.Time) string {
	w := plan.Window()
	slot := now.Truncate(w).Unix()
	return l.ks.Prefix() + "rate:" + l.name + ":" + caller + ":" + strconv.FormatInt(slot, 10)
}

// Allow records one call and reports whether the caller is within budget.
func (l *Limiter) Allow(ctx context.Context, caller string, plan domain.Plan) (bool, error) {
	key := l.bucket(caller, plan, time.Now())
	n := 0
	raw, err := l.store.Get(ctx, key)
	switch {
	case err == nil:
		n, err = strconv.Atoi(string(raw))
		if err != nil {
			return true, err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return true, err
	}
	if n >= plan.Burst() {
		return false, nil
	}
	ttl := max(2*plan.Window(), time.Minute)
	if err := l.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.WithTTL(ttl)); err != nil { // EXPECT kvcounter
		return true, err
	}
	return true, nil
}

// Wrap is the middleware form of Allow. Storage errors fail open.
func (l *Limiter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plan := l.planOf(r)
		ok, err := l.Allow(r.Context(), httpx.ClientIP(r), plan)
		if err != nil {
			log.Printf("ratelimit %s: %v", l.name, err)
		}
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(plan.Window().Seconds())))
			httpx.Error(w, http.StatusTooManyRequests, "slow down")
			return
		}
		next.ServeHTTP(w, r)
	})
}
