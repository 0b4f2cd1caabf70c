//go:build js && wasm

// Package quota enforces per-sender hourly send quotas for transactional
// sends that go out directly from the edge.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"bufflehead/internal/edgekv"
)

// ErrExceeded is returned when a reservation would exceed the hourly quota.
var ErrExceeded = errors.New("quota: hourly send quota exceeded")

// Plan describes what a sender is allowed to send.
type Plan struct {
	Name       string `json:"name"`
	HourlySend int    `json:"hourly_send"`
	Burst      int    `json:"burst"`
}

// Limiter tracks sends per sender per clock hour.
type Limiter struct {
	ns       edgekv.GetPutter
	plans    edgekv.GetPutter
	keyOf    func(senderID string, hour time.Time) string
	planURL  func(senderID string) string
	client   *http.Client
	fallback Plan
}

// NewLimiter returns a limiter that keeps usage in ns and caches plans in plans.
func NewLimiter(ns, plans edgekv.GetPutter, apiBase string) *Limiter {
	return &Limiter{
		ns:    ns,
		plans: plans,
		keyOf: func(senderID string, hour time.Time) string {
			return fmt.Sprintf("sent:%s:%s", senderID, hour.UTC().Format("2006010215"))
		},
		planURL:  func(senderID string) string { return apiBase + "/internal/senders/" + senderID + "/plan" },
		client:   &http.Client{Timeout: 5 * time.Second},
		fallback: Plan{Name: "free", HourlySend: 100, Burst: 20},
	}
}

// PlanFor returns the sender's plan, caching the API answer for five minutes.
func (l *Limiter) PlanFor(ctx context.Context, senderID string) (Plan, error) {
	key := "plan:" + senderID
	var p Plan
	r := edgekv.Reader{G: l.plans}
	err := r.Into(ctx, key, &p)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, edgekv.ErrNotFound) {
		return l.fallback, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.planURL(senderID), nil)
	if err != nil {
		return l.fallback, err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return l.fallback, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return l.fallback, fmt.Errorf("quota: plan lookup: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return l.fallback, err
	}
	if err := edgekv.PutJSON(ctx, l.plans, key, p, 5*time.Minute); err != nil {
		return p, err
	}
	return p, nil
}

// Reserve counts n sends against the current hour. The returned stop
// function must be called once the mail has been handed to the provider;
// if ctx is cancelled first, the reservation is given back.
func (l *Limiter) Reserve(ctx context.Context, senderID string, n int) (stop func() bool, err error) {
	plan, err := l.PlanFor(ctx, senderID)
	if err != nil && plan.HourlySend == 0 {
		return nil, err
	}
	hour := time.Now().Truncate(time.Hour)
	key := l.keyOf(senderID, hour)

	used := 0
	if raw, err := l.ns.Get(ctx, key); err == nil {
		if used, err = strconv.Atoi(raw); err != nil {
			return nil, fmt.Errorf("quota %s: %w", key, err)
		}
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		return nil, err
	}
	if used+n > plan.HourlySend+plan.Burst {
		return nil, ErrExceeded
	}

	ttl := time.Until(hour.Add(time.Hour))
	ttl = max(ttl, 10*time.Second)                                        // EXPECT kvttl
	if err := l.ns.Put(ctx, key, strconv.Itoa(used+n), ttl); err != nil { // EXPECT kvrace|kvcounter
		return nil, err
	}
	return context.AfterFunc(ctx, func() {
		l.refund(context.WithoutCancel(ctx), key, n)
	}), nil
}

func (l *Limiter) refund(ctx context.Context, key string, n int) {
	raw, err := l.ns.Get(ctx, key)
	if err != nil {
		return
	}
	used, err := strconv.Atoi(raw)
	if err != nil {
		return
	}
	_ = l.ns.Put(ctx, key, strconv.Itoa(max(used-n, 0)), time.Hour) // EXPECT kvrace|kvcounter
}

// Usage returns how many sends were reserved in the current hour.
func (l *Limiter) Usage(ctx context.Context, senderID string) (int, error) {
	raw, err := l.ns.Get(ctx, l.keyOf(senderID, time.Now().Truncate(time.Hour)))
	if errors.Is(err, edgekv.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(raw)
}
