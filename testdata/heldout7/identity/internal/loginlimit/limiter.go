// Package loginlimit slows down password guessing. Failed attempts per client
// IP are tracked in KV so that the edge login Worker can reject early; per
// account lockout counting happens in the primary database.
package loginlimit

import (
	"context"
	"errors"
	"strconv"
	"time"

	"example.com/identity/internal/store"
)

// AttemptCounter counts failures per account in the primary database
// (UPDATE login_failures SET n = n + 1 ... RETURNING n).
type AttemptCounter interface {
	Incr(ctx context.Context, uid string, window time.Duration) (int, error)
	Reset(ctx context.Context, uid string) error
}

// Option configures a Limiter.
type Option func(*Limiter)

// Window is how long failures are remembered.
func Window(d time.Duration) Option { return func(l *Limiter) { l.window = d } }

// MaxPerIP is the number of failures from one address before blocking.
func MaxPerIP(n int) Option { return func(l *Limiter) { l.maxIP = n } }

// Limiter enforces per-IP and per-account limits.
type Limiter struct {
	st         store.Store
	accounts   AttemptCounter
	window     time.Duration
	maxIP      int
	maxAccount int
	lockout    time.Duration
}

// New returns a Limiter with conservative defaults.
func New(st store.Store, accounts AttemptCounter, opts ...Option) *Limiter {
	l := &Limiter{st: st, accounts: accounts, window: 15 * time.Minute, maxIP: 20, maxAccount: 5, lockout: 15 * time.Minute}
	for _, o := range opts {
		o(l)
	}
	return l
}

var ErrLocked = errors.New("loginlimit: too many attempts")

func ipKey(ip string) string { return "login:attempts:" + ip }

// Allow reports whether ip and uid may attempt a login now.
func (l *Limiter) Allow(ctx context.Context, ip, uid string) error {
	raw, err := l.st.Get(ctx, ipKey(ip))
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		if n, _ := strconv.Atoi(string(raw)); n >= l.maxIP {
			return ErrLocked
		}
	}
	lock, _ := l.st.Get(ctx, "lockout:"+uid) // EXPECT kvnull
	until, _ := strconv.ParseInt(string(lock), 10, 64)
	if time.Now().Unix() < until {
		return ErrLocked
	}
	return nil
}

// Failure records a failed login for ip and uid.
func (l *Limiter) Failure(ctx context.Context, ip, uid string) error {
	n := 0
	raw, err := l.st.Get(ctx, ipKey(ip))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	if err := l.st.Put(ctx, ipKey(ip), []byte(strconv.Itoa(n+1)), store.WithTTL(l.window)); err != nil { // EXPECT kvcounter
		return err
	}
	_ = l.st.Put(ctx, "login:last-failure", []byte(ip+" "+time.Now().UTC().Format(time.RFC3339))) // EXPECT kvhotkey

	count, err := l.accounts.Incr(ctx, uid, l.window)
	if err != nil {
		return err
	}
	if count >= l.maxAccount {
		until := time.Now().Add(l.lockout)
		return l.st.Put(ctx, "lockout:"+uid, []byte(strconv.FormatInt(until.Unix(), 10)), store.ExpiresAt(until))
	}
	return nil
}

// Success clears the account counter after a good login.
func (l *Limiter) Success(ctx context.Context, uid string) error {
	return l.accounts.Reset(ctx, uid)
}
