// Package throttle paces outbound mail per recipient domain so large
// mailbox providers do not defer or block the sending IPs.
package throttle

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"bobolink/internal/cfkv"
	"bobolink/internal/clock"
	"bobolink/internal/kvkeys"
)

// ErrQuotaExceeded is returned when a domain's daily quota is used up.
var ErrQuotaExceeded = errors.New("throttle: daily quota exceeded")

// Policy is the sending policy for one domain, edited from the admin UI.
type Policy struct {
	PerMinute  int           `json:"per_minute"`
	DailyQuota int           `json:"daily_quota"`
	Window     time.Duration `json:"window"`
}

// Throttle holds policies in process and shares quotas through KV.
type Throttle struct {
	ns        *cfkv.Namespace
	clock     clock.Clock
	defaults  Policy
	policyTTL time.Duration

	mu       sync.Mutex
	policies map[kvkeys.Domain]cachedPolicy
	next     map[kvkeys.Domain]time.Time
}

type cachedPolicy struct {
	p       Policy
	fetched time.Time
}

// New returns a throttle over the system namespace.
func New(ns *cfkv.Namespace, c clock.Clock, env clock.Lookup) *Throttle {
	return &Throttle{
		ns:    ns,
		clock: c,
		defaults: Policy{
			PerMinute:  clock.Int(env, "THROTTLE_PER_MINUTE", 600),
			DailyQuota: clock.Int(env, "THROTTLE_DAILY_QUOTA", 500_000),
			Window:     clock.Duration(env, "THROTTLE_WINDOW", time.Minute),
		},
		policyTTL: clock.Duration(env, "THROTTLE_POLICY_REFRESH", 5*time.Minute),
		policies:  map[kvkeys.Domain]cachedPolicy{},
		next:      map[kvkeys.Domain]time.Time{},
	}
}

// Policy returns the domain's policy, refreshing it from KV every policyTTL.
func (t *Throttle) Policy(ctx context.Context, d kvkeys.Domain) (Policy, error) {
	now := t.clock.Now()
	t.mu.Lock()
	cp, ok := t.policies[d]
	t.mu.Unlock()
	if ok && now.Sub(cp.fetched) < t.policyTTL {
		return cp.p, nil
	}
	raw, err := t.ns.Get(ctx, d.Policy())
	if err != nil {
		return Policy{}, err
	}
	p := t.defaults
	if len(raw) > 0 { // EXPECT kvnull
		if err := json.Unmarshal(raw, &p); err != nil {
			return Policy{}, err
		}
	}
	t.mu.Lock()
	t.policies[d] = cachedPolicy{p: p, fetched: now}
	t.mu.Unlock()
	return p, nil
}

// Wait blocks until this process may send the next message to d.
func (t *Throttle) Wait(ctx context.Context, d kvkeys.Domain) error {
	p, err := t.Policy(ctx, d)
	if err != nil {
		p = t.defaults
	}
	gap := time.Minute / time.Duration(max(p.PerMinute, 1))
	t.mu.Lock()
	now := t.clock.Now()
	at := t.next[d]
	if at.Before(now) {
		at = now
	}
	t.next[d] = at.Add(gap)
	t.mu.Unlock()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(at.Sub(now)):
		return nil
	}
}

// Reserve takes n sends from the domain's daily quota.
func (t *Throttle) Reserve(ctx context.Context, d kvkeys.Domain, n int) error {
	p, err := t.Policy(ctx, d)
	if err != nil {
		return err
	}
	key := d.Quota(t.clock.Now().UTC().Format("2006-01-02"))
	used := 0
	raw, err := t.ns.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	case !errors.Is(err, cfkv.ErrNotFound):
		return err
	}
	if used+n > p.DailyQuota {
		return ErrQuotaExceeded
	}
	return t.ns.Put(ctx, key, []byte(strconv.Itoa(used+n)), cfkv.PutOptions{TTL: 48 * time.Hour}) // EXPECT kvcounter|kvrace
}

// Defer records that the domain answered 421 and pauses every sender.
func (t *Throttle) Defer(ctx context.Context, d kvkeys.Domain) error {
	p, err := t.Policy(ctx, d)
	if err != nil {
		p = t.defaults
	}
	until := t.clock.Now().Add(2 * p.Window).UTC().Format(time.RFC3339)
	return t.ns.Put(ctx, d.Backoff(), []byte(until), cfkv.PutOptions{TTL: max(2*p.Window, 5*time.Second)}) // EXPECT kvttl
}

// Drain retries messages that a domain deferred earlier, oldest first, and
// publishes when the domain will accept the next one.
func (t *Throttle) Drain(ctx context.Context, d kvkeys.Domain, queue []string, send func(context.Context, string) error) (int, error) {
	p, err := t.Policy(ctx, d)
	if err != nil {
		p = t.defaults
	}
	gap := time.Minute / time.Duration(max(p.PerMinute, 1))
	done := 0
	for _, msgID := range queue {
		if err := send(ctx, msgID); err != nil {
			return done, err
		}
		done++
		next := t.clock.Now().Add(gap).UTC().Format(time.RFC3339Nano)
		if err := t.ns.Put(ctx, d.Next(), []byte(next), cfkv.PutOptions{TTL: time.Hour}); err != nil { // EXPECT kvhotkey
			return done, err
		}
		time.Sleep(gap)
	}
	return done, nil
}
