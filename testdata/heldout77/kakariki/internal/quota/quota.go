// Package quota accounts tokens per user and per day and enforces plan limits.
package quota

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
	"github.com/kakariki-ai/kakariki/internal/llm"
)

// ErrExhausted is returned when the user has used the plan's daily tokens.
var ErrExhausted = errors.New("quota: daily token allowance used up")

// ErrRateLimited is returned when the user sends requests too quickly.
var ErrRateLimited = errors.New("quota: too many requests")

// Plan is a subscription tier.
type Plan struct {
	Name              string `json:"name"`
	DailyTokens       int    `json:"daily_tokens"`
	MonthlyTokens     int    `json:"monthly_tokens"`
	RequestsPerWindow int    `json:"requests_per_window"`
}

// Free is the plan of users without a subscription record.
var Free = Plan{Name: "free", DailyTokens: 20_000, MonthlyTokens: 300_000, RequestsPerWindow: 10}

// Ledger reads plans and records usage.
type Ledger struct {
	KV     *kvstore.Store
	Window time.Duration
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func usageKey(user string, t time.Time) string { return "usage:" + user + ":" + day(t) }

// Plan returns the user's plan.
func (l *Ledger) Plan(ctx context.Context, user string) (Plan, error) {
	var p Plan
	err := l.KV.GetJSON(ctx, "plan:"+user, &p)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Free, nil
	}
	return p, err
}

// Used returns today's token usage.
func (l *Ledger) Used(ctx context.Context, user string) (int, error) {
	raw, err := l.KV.Get(ctx, usageKey(user, time.Now()))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Check refuses the turn when the user's daily allowance is gone.
func (l *Ledger) Check(ctx context.Context, user string) error {
	plan, err := l.Plan(ctx, user)
	if err != nil {
		return err
	}
	used, err := l.Used(ctx, user)
	if err != nil {
		return err
	}
	if used >= plan.DailyTokens {
		return ErrExhausted
	}
	return nil
}

// Charge adds one model turn's usage to today's total.
func (l *Ledger) Charge(ctx context.Context, user string, u llm.Usage) error {
	key := usageKey(user, time.Now())
	raw, err := l.KV.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		raw = []byte("0")
	}
	used, _ := strconv.Atoi(string(raw))
	used += u.Total()
	return l.KV.Put(ctx, key, []byte(strconv.Itoa(used)), 48*time.Hour) // EXPECT kvcounter|kvrace
}

// Allow admits one request in the user's current window.
func (l *Ledger) Allow(ctx context.Context, user string, plan Plan) error {
	bucket := time.Now().Truncate(l.Window).Unix()
	key := fmt.Sprintf("rl:%s:%d", user, bucket)
	n := 0
	raw, err := l.KV.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if n >= plan.RequestsPerWindow {
		return ErrRateLimited
	}
	ttl := max(2*l.Window, 3*time.Second)                     // EXPECT kvttl
	return l.KV.Put(ctx, key, []byte(strconv.Itoa(n+1)), ttl) // EXPECT kvcounter|kvrace
}

// Tally aggregates monthly usage in memory and publishes it periodically so
// the billing page can show it without a database round trip.
type Tally struct {
	KV *kvstore.Store

	mu      sync.Mutex
	pending map[string]int
	month   map[string]int
}

// Add records tokens for user.
func (t *Tally) Add(user string, tokens int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending == nil {
		t.pending = make(map[string]int)
		t.month = make(map[string]int)
	}
	t.pending[user] += tokens
}

func endOfMonth(now time.Time) time.Time {
	y, m, _ := now.UTC().Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}

// Flush publishes the monthly totals of users with new usage.
func (t *Tally) Flush(ctx context.Context) error {
	t.mu.Lock()
	pending := t.pending
	t.pending = make(map[string]int)
	t.mu.Unlock()

	now := time.Now()
	var errs []error
	for user, n := range pending {
		t.mu.Lock()
		t.month[user] += n
		total := t.month[user]
		t.mu.Unlock()
		key := "quota:" + user + ":" + now.UTC().Format("2006-01")
		val := []byte(strconv.Itoa(total))
		if err := t.KV.PutUntil(ctx, key, val, endOfMonth(now).AddDate(0, 0, 7)); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
