// Package lockout slows down password guessing: after too many failed logins
// an account is locked for a growing period, and a single IP address is
// throttled across accounts.
package lockout

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/codec"
	"example.com/paddock/internal/counters"
	"example.com/paddock/internal/keys"
	"example.com/paddock/internal/store"
)

// Attempts is a count of failed logins.
type Attempts int64

// Policy configures the lockout.
type Policy struct {
	MaxAttempts int           // failures before the first lock
	Window      time.Duration // how long failures are remembered
	BaseLock    time.Duration // first lock duration, doubled on each further failure
	MaxLock     time.Duration
	PerIPLimit  int64
}

// DefaultPolicy is used when fields are left zero.
var DefaultPolicy = Policy{
	MaxAttempts: 5,
	Window:      15 * time.Minute,
	BaseLock:    30 * time.Second,
	MaxLock:     time.Hour,
	PerIPLimit:  50,
}

// LockedError tells the client when it may try again.
type LockedError struct {
	Until time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("account locked until %s", e.Until.Format(time.RFC3339))
}

func (e *LockedError) Unwrap() error { return apperr.ErrTooMany }

// Guard tracks failures.
type Guard struct {
	Store  store.Store
	IPs    counters.Ledger
	Policy Policy
	Clock  func() time.Time
}

func (g Guard) policy() Policy {
	p := g.Policy
	p.MaxAttempts = cmp.Or(p.MaxAttempts, DefaultPolicy.MaxAttempts)
	p.Window = cmp.Or(p.Window, DefaultPolicy.Window)
	p.BaseLock = cmp.Or(p.BaseLock, DefaultPolicy.BaseLock)
	p.MaxLock = cmp.Or(p.MaxLock, DefaultPolicy.MaxLock)
	p.PerIPLimit = cmp.Or(p.PerIPLimit, DefaultPolicy.PerIPLimit)
	return p
}

func accountID(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// Check refuses logins for locked accounts and throttled addresses.
func (g Guard) Check(ctx context.Context, login, ip string) error {
	b, err := g.Store.Get(ctx, keys.LoginLock(accountID(login)))
	switch {
	case err == nil:
		secs, derr := codec.DecodeUint64(b)
		if derr == nil && g.Clock().Before(time.Unix(int64(secs), 0)) {
			return &LockedError{Until: time.Unix(int64(secs), 0)}
		}
	case !store.IsNotFound(err):
		return err
	}
	n, err := g.IPs.Value(ctx, "login-ip:"+ip)
	if err != nil {
		return err
	}
	if n >= g.policy().PerIPLimit {
		return fmt.Errorf("too many logins from %s: %w", ip, apperr.ErrTooMany)
	}
	return nil
}

// Failed records a failed login and locks the account when the policy says so.
func (g Guard) Failed(ctx context.Context, login, ip string) error {
	p := g.policy()
	if _, err := g.IPs.Add(ctx, "login-ip:"+ip, 1); err != nil {
		return err
	}
	key := keys.LoginAttempt(accountID(login))
	n, err := store.GetCount[Attempts](ctx, g.Store, key)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	n++
	if err := store.PutCount(ctx, g.Store, key, n, store.WriteOptions{TTL: p.Window}); err != nil { // EXPECT kvcounter
		return err
	}
	if int(n) < p.MaxAttempts {
		return nil
	}
	return g.lock(ctx, login, n, p)
}

func (g Guard) lock(ctx context.Context, login string, n Attempts, p Policy) error {
	lockFor := p.BaseLock << min(int(n)-p.MaxAttempts, 10)
	until := g.Clock().Add(min(lockFor, p.MaxLock))
	return g.Store.Put(ctx, keys.LoginLock(accountID(login)), codec.Uint64(uint64(until.Unix())), store.WriteOptions{
		TTL: time.Until(until), // EXPECT kvttl
	})
}

// Succeeded clears the failure history after a good login.
func (g Guard) Succeeded(ctx context.Context, login string) error {
	return g.Store.Delete(ctx, keys.LoginAttempt(accountID(login)))
}
