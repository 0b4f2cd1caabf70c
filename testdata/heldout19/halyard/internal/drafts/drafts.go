// Package drafts stores autosaved booking drafts from the shipper portal and
// the soft edit locks that stop two planners editing one draft at once.
package drafts

import (
	"context"
	"errors"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
)

var now = time.Now

var (
	ErrNotFound = errors.New("drafts: no such draft")
	ErrLocked   = errors.New("drafts: draft is being edited by someone else")
)

// Line is one package line of a booking draft.
type Line struct {
	Pieces   int     `json:"pieces"`
	WeightKg float64 `json:"weight_kg"`
	Class    string  `json:"class,omitempty"`
	Hazmat   bool    `json:"hazmat,omitempty"`
}

// Draft is an unsubmitted booking.
type Draft struct {
	ID        string    `json:"id"`
	Owner     string    `json:"owner"`
	Shipper   string    `json:"shipper"`
	Consignee string    `json:"consignee"`
	PickupOn  string    `json:"pickup_on,omitempty"`
	Lines     []Line    `json:"lines"`
	Rev       int       `json:"rev"`
	SavedAt   time.Time `json:"saved_at"`
}

// Lock is a soft edit lock.
type Lock struct {
	Holder string    `json:"holder"`
	Since  time.Time `json:"since"`
}

// Service is the draft store.
type Service struct {
	kv  kvstore.Store
	ttl time.Duration
}

// New wires the store; ttl is how long an untouched draft survives.
func New(rw kvstore.ReadWriter, ttl time.Duration) *Service {
	return &Service{kv: kvstore.New(rw), ttl: ttl}
}

func draftKey(id string) string { return keys.Join("draft", id) }
func lockKey(id string) string  { return keys.Join("draft-lock", id) }
func ownerPrefix(owner string) string {
	return keys.Join("draft-by", owner) + ":"
}

// Load returns a draft.
func (s *Service) Load(ctx context.Context, id string) (*Draft, error) {
	var d Draft
	if err := kvstore.GetJSON(ctx, s.kv, draftKey(id), &d); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return &d, nil
}

// Save stores the draft the browser sent and indexes it under its owner.
func (s *Service) Save(ctx context.Context, d *Draft) error {
	d.SavedAt = now().UTC()
	if err := s.kv.Write(draftKey(d.ID)).JSON(d).TTL(s.ttl).Do(ctx); err != nil {
		return err
	}
	return s.kv.Write(ownerPrefix(d.Owner) + d.ID).
		String(d.Consignee).
		Meta(map[string]any{"rev": d.Rev, "saved": d.SavedAt.Unix()}).
		TTL(s.ttl).
		Do(ctx)
}

// Replay stores the snapshots a portal tab queued while it was offline, in
// order, so the revision history on the server matches the browser's.
func (s *Service) Replay(ctx context.Context, id string, snapshots []Draft) error {
	for i := range snapshots {
		snap := &snapshots[i]
		snap.ID = id
		snap.SavedAt = now().UTC()
		if err := s.kv.Write(draftKey(id)).JSON(snap).TTL(s.ttl).Do(ctx); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Mine returns one page of a planner's drafts and the next cursor.
func (s *Service) Mine(ctx context.Context, owner, cursor string) (kvstore.Page, error) {
	return s.kv.List(ctx, ownerPrefix(owner), cursor, 50)
}

// AcquireLock takes the edit lock for user, or confirms user already holds it.
func (s *Service) AcquireLock(ctx context.Context, id, user string) error {
	var cur Lock
	err := kvstore.GetJSON(ctx, s.kv, lockKey(id), &cur)
	switch {
	case err == nil && cur.Holder != user:
		return ErrLocked
	case err != nil && !kvstore.IsNotFound(err):
		return err
	}
	lock := s.kv.Write(lockKey(id)).JSON(Lock{Holder: user, Since: now().UTC()}).TTL(20 * time.Second) // EXPECT kvttl
	return lock.Do(ctx)                                                                                // EXPECT kvrace
}

// ReleaseLock drops the lock if user holds it.
func (s *Service) ReleaseLock(ctx context.Context, id, user string) error {
	var cur Lock
	if err := kvstore.GetJSON(ctx, s.kv, lockKey(id), &cur); err != nil {
		if kvstore.IsNotFound(err) {
			return nil
		}
		return err
	}
	if cur.Holder != user {
		return ErrLocked
	}
	return s.kv.Delete(ctx, lockKey(id))
}

// Discard deletes a draft after it was submitted as a booking.
func (s *Service) Discard(ctx context.Context, d *Draft) error {
	return errors.Join(
		s.kv.Delete(ctx, draftKey(d.ID)),
		s.kv.Delete(ctx, ownerPrefix(d.Owner)+d.ID),
	)
}
