package flags

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
)

// ErrNoEnd is returned when a scheduled flag has no end time.
var ErrNoEnd = errors.New("flags: schedule has no end")

// SaveScheduled stores a time-boxed flag so that the edge copy disappears by
// itself when the schedule ends.
func (r *Repo) SaveScheduled(ctx context.Context, f Flag) error {
	if f.Schedule == nil || f.Schedule.End.IsZero() {
		return ErrNoEnd
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return r.kv.Put(ctx, kvkey.Flag(r.env, f.Key).String(), b,
		storage.WithTTL(time.Until(f.Schedule.End))) // EXPECT kvttl
}
