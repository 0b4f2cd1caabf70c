// Package kvrace holds kvrace's cases over a wrapper whose one-value
// write is one pair of its own chunked bulk write (bulkkv).
package kvrace

import (
	"context"
	"errors"
	"time"

	"kvlint.test/cfv3/bulkkv"
)

var ErrTaken = errors.New("taken")

// ClaimHandle refuses a handle that exists, then writes this user's
// claim to the same key through the wrapper's one-pair bulk write.
func ClaimHandle(ctx context.Context, s bulkkv.Space, handle, userID string) error {
	if _, err := s.Get(ctx, "handle:"+handle); err == nil {
		return ErrTaken
	} else if !errors.Is(err, bulkkv.ErrNotFound) {
		return err
	}
	return s.WriteExpiring(ctx, "handle:"+handle, userID, 24*time.Hour) // want `check-then-create on one KV key`
}

// ClaimWithEntries does the same, building its one entry itself.
func ClaimWithEntries(ctx context.Context, s bulkkv.Space, handle, userID string) error {
	if _, err := s.Get(ctx, "handle:"+handle); err == nil {
		return ErrTaken
	}
	return s.WriteAll(ctx, []bulkkv.Entry{{Name: "handle:" + handle, Value: userID, TTL: time.Hour}}) // want `check-then-create on one KV key`
}

// Reserve checks one key and writes another: a marker beside the record.
func Reserve(ctx context.Context, s bulkkv.Space, handle, userID string) error {
	if _, err := s.Get(ctx, "handle:"+handle); err == nil {
		return ErrTaken
	}
	return s.WriteExpiring(ctx, "pending:"+handle, userID, time.Hour)
}

// Profile is a read-through cache: a miss is filled from elsewhere, the
// same for every request.
func Profile(ctx context.Context, s bulkkv.Space, id string, load func(string) (string, error)) (string, error) {
	if v, err := s.Get(ctx, "profile:"+id); err == nil {
		return v, nil
	}
	v, err := load(id)
	if err != nil {
		return "", err
	}
	return v, s.WriteExpiring(ctx, "profile:"+id, v, 10*time.Minute)
}
