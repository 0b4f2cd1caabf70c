package kvttl

import (
	"context"
	"time"

	"kvlint.test/cfv6/ifaceopts"
)

// Options that are values of an interface, made by functions of the
// store's package and applied by its Put.
func rememberScan(ctx context.Context, st *ifaceopts.Store, gate string) error {
	if err := st.Put(ctx, "scan:"+gate, "1", ifaceopts.ExpireIn(30*time.Second)); err != nil { // want `ExpirationTTL 30 \(passed to ifaceopts.ExpireIn`
		return err
	}
	return st.Put(ctx, "seen:"+gate, "1", ifaceopts.ExpireInSeconds(45)) // want `ExpirationTTL 45 \(passed to ifaceopts.ExpireInSeconds`
}

// Quiet: lifetimes of a minute or more.
func rememberBadge(ctx context.Context, st *ifaceopts.Store, badge string) error {
	if err := st.Put(ctx, "badge:"+badge, "1", ifaceopts.ExpireIn(5*time.Minute)); err != nil {
		return err
	}
	return st.Put(ctx, "visit:"+badge, "1", ifaceopts.ExpireInSeconds(120))
}

// A backoff that is 20 s on the first attempt: found as a constant on
// that path and as the clamp's floor, and reported once.
func rememberAttempt(ctx context.Context, st *ifaceopts.Store, card string, failed bool, previous int) error {
	attempts := 0
	if failed {
		attempts = previous
	}
	backoff := time.Duration(attempts) * 5 * time.Second
	return st.Put(ctx, "attempts:"+card, "1", ifaceopts.ExpireIn(max(backoff, 20*time.Second))) // want `ExpirationTTL .*20`
}

// optionPutter is the service's port for ifaceopts.Store.
type optionPutter interface {
	Put(ctx context.Context, key, value string, opts ...ifaceopts.Option) error
}

var _ optionPutter = (*ifaceopts.Store)(nil)

// A countdown given as an option: the store applies it over what earlier
// options set, and nothing keeps it at a minute.
func rememberCountdown(ctx context.Context, st optionPutter, match string, startsAt time.Time) error {
	return st.Put(ctx, "countdown:"+match, startsAt.Format(time.RFC3339), ifaceopts.ExpireIn(time.Until(startsAt))) // want `ExpirationTTL \(passed to ifaceopts.ExpireIn, which keeps it in settings.TTL\) is counted down to a moment`
}

// A clamp whose own floor is 5 s, reported at the clamp.
func rememberStreak(ctx context.Context, st optionPutter, player string, resetAt time.Time) error {
	ttl := max(time.Until(resetAt), 5*time.Second) // want `ExpirationTTL \(passed to ifaceopts.ExpireIn, which keeps it in settings.TTL\) can be as low as 5s`
	return st.Put(ctx, "streak:"+player, "1", ifaceopts.ExpireIn(ttl))
}

// Quiet: clamped to a minute.
func rememberRound(ctx context.Context, st *ifaceopts.Store, match string, endsAt time.Time) error {
	return st.Put(ctx, "round:"+match, "1", ifaceopts.ExpireIn(max(time.Until(endsAt), time.Minute)))
}
