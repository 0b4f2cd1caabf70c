package kvttl

import (
	"context"
	"time"

	"kvlint.test/cfv6/callbacks"
	"kvlint.test/cfv6/handoff"
)

// A method of a function type that calls the value itself.
func saveBadgeByWriter(ctx context.Context, s *callbacks.Store, id string) error {
	return s.Writer().JSON(ctx, "badge:"+id, id, 30*time.Second) // want `ExpirationTTL 30 \(passed to callbacks.JSON\) is below KV's 60-second minimum`
}

// The same with the writer kept in a variable, and converted from a
// method value.
func saveCardByWriter(ctx context.Context, s *callbacks.Store, id string) error {
	w := s.Writer()
	if err := w.JSON(ctx, "card:"+id, id, 20*time.Second); err != nil { // want `ExpirationTTL 20 \(passed to callbacks.JSON\) is below`
		return err
	}
	return callbacks.Writer(s.Put).JSON(ctx, "card:"+id, id, 2*time.Hour)
}

// A method value handed to a helper that calls it, and to one that hands
// it on.
func saveTokenRetried(ctx context.Context, s *callbacks.Store, id string) error {
	if err := callbacks.Retry(ctx, "tok:"+id, nil, 45*time.Second, s.Put); err != nil { // want `ExpirationTTL 45 \(passed to callbacks.Retry\) is below`
		return err
	}
	if err := callbacks.Logged(ctx, "tok2:"+id, nil, 10*time.Second, s.Put); err != nil { // want `ExpirationTTL 10 \(passed to callbacks.Logged\) is below`
		return err
	}
	return callbacks.Retry(ctx, "tok3:"+id, nil, time.Hour, s.Put)
}

// A closure's parameter given by the helper that calls it.
func saveMemo(ctx context.Context, s *callbacks.Store, id string) error {
	if err := callbacks.WithLifetime(ctx, 40*time.Second, func(ctx context.Context, ttl time.Duration) error { // want `ExpirationTTL 40 \(passed to callbacks.WithLifetime\) is below`
		return s.Put(ctx, "note:"+id, nil, ttl)
	}); err != nil {
		return err
	}
	return callbacks.WithLifetime(ctx, 5*time.Minute, func(ctx context.Context, ttl time.Duration) error {
		return s.Put(ctx, "note2:"+id, nil, ttl)
	})
}

// A helper package that does not use KV itself.
func saveViaHandoff(ctx context.Context, s *callbacks.Store, id string) error {
	if err := handoff.Twice(ctx, "h:"+id, 50*time.Second, s.Put); err != nil { // want `ExpirationTTL 50 \(passed to handoff.Twice\) is below`
		return err
	}
	return handoff.Twice(ctx, "h2:"+id, 90*time.Second, s.Put)
}
