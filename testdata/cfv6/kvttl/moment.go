package kvttl

import (
	"context"
	"time"
)

// A moment moved up to an hour ahead before the countdown to it: the
// lifetime starts at an hour.
func (s *store) resend(ctx context.Context, key, v string, until time.Time) error {
	if until.Before(time.Now().Add(time.Hour)) {
		until = time.Now().Add(time.Hour)
	}
	return putFor(ctx, s.client, key, v, time.Until(until))
}

// Moved up to only 30 seconds ahead: still below the minimum.
func (s *store) resendSoon(ctx context.Context, key, v string, until time.Time) error {
	if until.Before(time.Now().Add(30 * time.Second)) {
		until = time.Now().Add(30 * time.Second)
	}
	return putFor(ctx, s.client, key, v, time.Until(until)) // want `ExpirationTTL \(passed to putFor\) can be as low as 30s`
}

// A moment not moved up at all.
func (s *store) resendAny(ctx context.Context, key, v string, until time.Time) error {
	return putFor(ctx, s.client, key, v, time.Until(until)) // want `ExpirationTTL \(passed to putFor\) is counted down to a moment`
}

// Kept for a retention period past a moment that a test let through only
// when it was not past: the lifetime starts at the retention period.
func (s *store) importUntil(ctx context.Context, keys []string, untils []time.Time) error {
	now := time.Now()
	for i, key := range keys {
		until := untils[i]
		if until.Before(now) {
			continue
		}
		if err := putFor(ctx, s.client, key, "imported", until.Add(30*24*time.Hour).Sub(now)); err != nil {
			return err
		}
	}
	return nil
}

// The same test written the other way round.
func (s *store) importAfter(ctx context.Context, key string, until time.Time, now time.Time) error {
	if !until.After(now) {
		return nil
	}
	return putFor(ctx, s.client, key, "imported", until.Add(time.Hour).Sub(now))
}

// Past an untested moment the countdown can reach the retention period's
// start at any time, and pass it.
func (s *store) importAny(ctx context.Context, key string, until, now time.Time) error {
	return putFor(ctx, s.client, key, "imported", until.Add(-time.Hour).Sub(now)) // want `ExpirationTTL \(passed to putFor\) is counted down to a moment`
}

// Tested, but kept only 30 seconds past it: below the minimum.
func (s *store) importBrief(ctx context.Context, key string, until, now time.Time) error {
	if now.After(until) {
		return nil
	}
	return putFor(ctx, s.client, key, "imported", until.Add(30*time.Second).Sub(now)) // want `ExpirationTTL \(passed to putFor\) can be as low as 30s`
}

// What is left of a window opened when the message was sent: it falls
// to zero as the window closes, and the test only keeps it above zero.
func (s *store) admit(ctx context.Context, key string, sent time.Time, window time.Duration) error {
	left := window - time.Since(sent)
	if left <= 0 {
		return nil
	}
	return putFor(ctx, s.client, key, "admitted", left) // want `ExpirationTTL \(passed to putFor\) is counted down to a moment`
}

// The same, worked out by a helper that its callers hand the window.
func putLeft(ctx context.Context, s *store, key string, sent time.Time, window time.Duration) error {
	return putFor(ctx, s.client, key, "admitted", window-time.Since(sent)) // want `ExpirationTTL \(passed to putFor\) is counted down to a moment`
}

func (s *store) admitLater(ctx context.Context, key string, sent time.Time) error {
	return putLeft(ctx, s, key, sent, 10*time.Minute)
}

// Quiet: what is left, kept at a minute or more.
func (s *store) admitFloored(ctx context.Context, key string, sent time.Time, window time.Duration) error {
	return putFor(ctx, s.client, key, "admitted", max(window-time.Since(sent), time.Minute))
}

// Quiet: a window counted from now, not from a moment in the past.
func (s *store) admitFresh(ctx context.Context, key string, started time.Time, window time.Duration) error {
	return putFor(ctx, s.client, key, "admitted", window+time.Since(started))
}

// Capped by a lifetime read at run time and by the countdown: the lesser
// of the two drops to zero as the moment nears, whatever the other is.
func (s *store) cacheAllow(ctx context.Context, key, v string, maxAge int, expires time.Time) error {
	return putFor(ctx, s.client, key, v, min(time.Duration(maxAge)*time.Second, time.Until(expires))) // want `ExpirationTTL \(passed to putFor\) is counted down to a moment`
}

// Quiet: the greater of the two, with a floor of a minute under both.
func (s *store) cacheAllowFloored(ctx context.Context, key, v string, maxAge int, expires time.Time) error {
	return putFor(ctx, s.client, key, v, max(min(time.Duration(maxAge)*time.Second, time.Until(expires)), time.Minute))
}
