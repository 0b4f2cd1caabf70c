//go:build js && wasm

// Package limits admits CI jobs according to the plan of their
// organisation: a fixed number of concurrent slots, a monthly budget of
// build minutes, a burst limit, or no limit at all.
package limits

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"plover/internal/edgekv"
	"plover/internal/enc"
	"plover/internal/keys"
)

// Kind names a limiting strategy; it is stored on the organisation's plan.
type Kind string

const (
	KindSlots   Kind = "slots"
	KindMinutes Kind = "minutes"
	KindBurst   Kind = "burst"
	KindOpen    Kind = "open"
)

const runningTTL = 6 * time.Hour

// Job is the part of a CI job the limiter looks at.
type Job struct {
	Org      string
	Project  string
	Build    int64
	Plan     Kind
	MaxSlots int
	Budget   int64 // build minutes per month
	Started  time.Time
}

// Strategy decides whether a job may start and accounts for it when done.
type Strategy interface {
	Admit(ctx context.Context, st *edgekv.Store, job Job) (bool, error)
	Done(ctx context.Context, st *edgekv.Store, job Job, took time.Duration) error
}

var strategies = map[Kind]Strategy{
	KindSlots:   slots{},
	KindMinutes: minutes{},
	KindBurst:   &burst{window: 10 * time.Second, perWindow: 30, counts: map[string]int{}},
	KindOpen:    open{},
}

// Limiter dispatches to the strategy of a job's plan.
type Limiter struct {
	st *edgekv.Store
}

var (
	defaultOnce    sync.Once
	defaultLimiter *Limiter
	defaultErr     error
)

// Default returns the limiter bound to the LIMITS namespace, opening the
// binding on first use.
func Default() (*Limiter, error) {
	defaultOnce.Do(func() {
		st, err := edgekv.Open("LIMITS")
		if err != nil {
			defaultErr = err
			return
		}
		defaultLimiter = &Limiter{st: st}
	})
	return defaultLimiter, defaultErr
}

func (l *Limiter) strategy(k Kind) Strategy {
	if s, ok := strategies[k]; ok {
		return s
	}
	return strategies[KindSlots]
}

// Admit reports whether job may start now.
func (l *Limiter) Admit(ctx context.Context, job Job) (bool, error) {
	return l.strategy(job.Plan).Admit(ctx, l.st, job)
}

// Done records the end of job.
func (l *Limiter) Done(ctx context.Context, job Job) error {
	return l.strategy(job.Plan).Done(ctx, l.st, job, time.Since(job.Started))
}

// ResetMonth starts the minute budget of org for month at zero. It runs from
// the monthly cron.
func (l *Limiter) ResetMonth(org string, month int) error {
	return l.st.Put(keys.QuotaKey{Org: org, Month: month}, "0", 62*24*time.Hour) // DEBATABLE kvcounter
}

type slots struct{}

func running(st *edgekv.Store, org string) (keys.Key, uint64, error) {
	key := keys.Key(keys.OrgRunning.With(org))
	raw, ok, err := st.Get(key)
	if err != nil || !ok {
		return key, 0, err
	}
	n, err := enc.ParseUint64(raw)
	return key, n, err
}

func (slots) Admit(_ context.Context, st *edgekv.Store, job Job) (bool, error) {
	key, n, err := running(st, job.Org)
	if err != nil {
		return false, err
	}
	if n >= uint64(job.MaxSlots) {
		return false, nil
	}
	return true, st.Put(key, enc.Uint64(n+1), runningTTL) // EXPECT kvcounter|kvrace
}

func (slots) Done(_ context.Context, st *edgekv.Store, job Job, _ time.Duration) error {
	key, n, err := running(st, job.Org)
	if err != nil || n == 0 {
		return err
	}
	return st.Put(key, enc.Uint64(n-1), runningTTL) // EXPECT kvcounter|kvrace
}

type minutes struct{}

func month(t time.Time) int { return t.Year()*100 + int(t.Month()) }

func used(st *edgekv.Store, key keys.QuotaKey) (int64, error) {
	raw, ok, err := st.Get(key)
	if err != nil || !ok {
		return 0, err
	}
	return strconv.ParseInt(raw, 10, 64)
}

func (minutes) Admit(_ context.Context, st *edgekv.Store, job Job) (bool, error) {
	n, err := used(st, keys.QuotaKey{Org: job.Org, Month: month(job.Started)})
	if err != nil {
		return false, err
	}
	return n < job.Budget, nil
}

func (minutes) Done(_ context.Context, st *edgekv.Store, job Job, took time.Duration) error {
	key := keys.QuotaKey{Org: job.Org, Month: month(job.Started)}
	n, err := used(st, key)
	if err != nil {
		return fmt.Errorf("limits: quota %s: %w", key, err)
	}
	n += int64(took.Round(time.Minute) / time.Minute)
	return st.Put(key, strconv.FormatInt(n, 10), 62*24*time.Hour) // EXPECT kvcounter|kvrace
}

// burst allows perWindow job starts per organisation and window. Counts are
// kept in the isolate and mirrored to KV so the dashboard can show them.
type burst struct {
	window    time.Duration
	perWindow int

	mu     sync.Mutex
	counts map[string]int
	reset  time.Time
}

func (b *burst) Admit(_ context.Context, st *edgekv.Store, job Job) (bool, error) {
	b.mu.Lock()
	if now := time.Now(); now.Sub(b.reset) > b.window {
		b.counts = map[string]int{}
		b.reset = now
	}
	b.counts[job.Org]++
	n := b.counts[job.Org]
	b.mu.Unlock()
	if n > b.perWindow {
		return false, nil
	}
	ttl := max(2*b.window, 3*time.Second)                                                // EXPECT kvttl
	return true, st.Put(keys.Key(keys.OrgRateLimit.With(job.Org)), strconv.Itoa(n), ttl) // EXPECT kvcounter
}

func (b *burst) Done(context.Context, *edgekv.Store, Job, time.Duration) error { return nil }

type open struct{}

func (open) Admit(context.Context, *edgekv.Store, Job) (bool, error)       { return true, nil }
func (open) Done(context.Context, *edgekv.Store, Job, time.Duration) error { return nil }
