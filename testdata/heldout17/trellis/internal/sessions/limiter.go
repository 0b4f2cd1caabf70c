package sessions

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/kvstore"
	"example.com/trellis/internal/kvstore/decorate"
)

// Limiter locks an email address out after repeated failed sign-ins.
type Limiter struct {
	st     kvstore.Store
	limit  int
	window time.Duration
	clock  clock.Clock
}

// NewLimiter allows limit failures per window.
func NewLimiter(base kvstore.Store, limit int, window time.Duration, c clock.Clock) *Limiter {
	return &Limiter{st: decorate.WithPrefix(base, "login-attempts:"), limit: limit, window: window, clock: c}
}

type attempts struct {
	Count int       `json:"count"`
	First time.Time `json:"first"`
}

func (l *Limiter) load(ctx context.Context, email string) (attempts, error) {
	a := attempts{First: l.clock.Now()}
	raw, err := l.st.Get(ctx, strings.ToLower(email))
	switch {
	case kvstore.IsNotFound(err):
		return a, nil
	case err != nil:
		return a, err
	}
	err = json.Unmarshal(raw, &a)
	return a, err
}

// Locked reports whether email is currently locked out.
func (l *Limiter) Locked(ctx context.Context, email string) (bool, error) {
	a, err := l.load(ctx, email)
	return a.Count >= l.limit && l.clock.Now().Sub(a.First) < l.window, err
}

// Fail records a failed sign-in and reports whether the address is now locked.
func (l *Limiter) Fail(ctx context.Context, email string) (bool, error) {
	a, err := l.load(ctx, email)
	if err != nil {
		return false, err
	}
	a.Count++
	raw, _ := json.Marshal(a)
	if err := l.st.Put(ctx, strings.ToLower(email), raw, kvstore.PutOptions{TTL: l.window}); err != nil { // EXPECT kvcounter
		return false, err
	}
	return a.Count >= l.limit, nil
}
