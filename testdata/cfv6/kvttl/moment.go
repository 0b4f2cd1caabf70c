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
