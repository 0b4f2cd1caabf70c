package dock

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
)

// WaitEntry is a carrier waiting for a door to free up.
type WaitEntry struct {
	Carrier string    `json:"carrier"`
	Load    string    `json:"load"`
	Since   time.Time `json:"since"`
}

func waitlistKey(door keys.Door) (string, error) {
	base, err := door.MarshalText()
	if err != nil {
		return "", err
	}
	return "wait:" + string(base), nil
}

// Waitlist returns the carriers queued for a door, oldest first.
func (s *Scheduler) Waitlist(ctx context.Context, door keys.Door) ([]WaitEntry, error) {
	key, err := waitlistKey(door)
	if err != nil {
		return nil, err
	}
	var list []WaitEntry
	if err := kvstore.GetJSON(ctx, s.kv, key, &list); err != nil && !kvstore.IsNotFound(err) {
		return nil, err
	}
	return list, nil
}

// JoinWaitlist queues a carrier for a door and returns its position.
func (s *Scheduler) JoinWaitlist(ctx context.Context, door keys.Door, carrier, load string) (int, error) {
	key, err := waitlistKey(door)
	if err != nil {
		return 0, err
	}
	list, err := s.Waitlist(ctx, door)
	if err != nil {
		return 0, err
	}
	if i := slices.IndexFunc(list, func(e WaitEntry) bool { return e.Load == load }); i >= 0 {
		return i + 1, nil
	}
	list = append(list, WaitEntry{Carrier: carrier, Load: load, Since: now().UTC()})
	b, err := json.Marshal(list)
	if err != nil {
		return 0, err
	}
	if err := s.kv.Put(ctx, key, b, kvstore.PutOptions{TTL: kvstore.SecondsOf(36 * time.Hour)}); err != nil { // EXPECT kvrace
		return 0, err
	}
	return len(list), nil
}
