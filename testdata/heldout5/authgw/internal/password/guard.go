// Package password throttles password logins per account.
package password

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"example.com/authgw/internal/ids"
	"example.com/authgw/internal/kvport"
)

// ErrLocked means the account is temporarily locked after repeated failures.
var ErrLocked = errors.New("password: too many failed attempts")

// Policy controls lockout.
type Policy struct {
	MaxAttempts int
	Window      time.Duration // failures older than this are forgotten
	MaxLockout  time.Duration
}

// DefaultPolicy is what production runs with.
var DefaultPolicy = Policy{MaxAttempts: 5, Window: 15 * time.Minute, MaxLockout: 6 * time.Hour}

type lockRecord struct {
	Until time.Time `json:"until"`
	Level int       `json:"level"`
}

// Guard tracks failures in KV.
type Guard struct {
	kv     kvport.Store
	policy Policy
	now    func() time.Time
}

func NewGuard(kv kvport.Store, p Policy) *Guard {
	return &Guard{kv: kv, policy: p, now: time.Now}
}

// Account keys are hashed so emails do not show up in key listings.
func attemptsKey(email string) string { return "login:attempts:" + ids.Hash(email) }
func lockKey(email string) string     { return "login:lock:" + ids.Hash(email) }

// Check refuses when the account is locked.
func (g *Guard) Check(ctx context.Context, email string) error {
	raw, err := g.kv.Get(ctx, lockKey(email))
	if kvport.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var lr lockRecord
	if err := json.Unmarshal(raw, &lr); err != nil {
		return nil // unreadable lock: fail open, the attempts counter still applies
	}
	if g.now().Before(lr.Until) {
		return ErrLocked
	}
	return nil
}

// Fail records a failed attempt and locks the account when the policy says so.
func (g *Guard) Fail(ctx context.Context, email string) error {
	key := attemptsKey(email)
	n := 0
	if raw, err := g.kv.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !kvport.IsNotFound(err) {
		return err
	}
	n++
	if err := g.kv.Put(ctx, key, []byte(strconv.Itoa(n)), kvport.WithTTL(g.policy.Window)); err != nil { // EXPECT kvcounter
		return err
	}
	if n < g.policy.MaxAttempts {
		return nil
	}
	return g.lock(ctx, email, n/g.policy.MaxAttempts)
}

func (g *Guard) lock(ctx context.Context, email string, level int) error {
	until := g.lockoutUntil(level)
	body, _ := json.Marshal(lockRecord{Until: until, Level: level})
	return g.kv.Put(ctx, lockKey(email), body,
		kvport.WithTTL(time.Until(until))) // EXPECT kvttl
}

// Locks end on a window boundary so the lock and the attempts counter age
// out together; repeat offenders are locked for extra whole windows.
func (g *Guard) lockoutUntil(level int) time.Time {
	end := g.now().Truncate(g.policy.Window).Add(g.policy.Window)
	for i := 1; i < level && end.Sub(g.now()) < g.policy.MaxLockout; i++ {
		end = end.Add(g.policy.Window)
	}
	return end
}

// Succeed clears the failure history after a good login.
func (g *Guard) Succeed(ctx context.Context, email string) error {
	return g.kv.Delete(ctx, attemptsKey(email))
}
