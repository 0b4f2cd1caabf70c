package editorial

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"slices"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/kvjson"
	"example.com/feeds/internal/platform/repo"
)

// ErrNoSession is returned for an unknown or expired session ID.
var ErrNoSession = errors.New("editorial: no such session")

// Session is an editor's signed-in browser.
type Session struct {
	ID       string    `json:"id"`
	Editor   string    `json:"editor"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Sessions stores session:<id> and the per-editor index editor:<e>:sessions.
type Sessions struct {
	store    kv.Store
	sessions *repo.Repository[Session]
	ttl      time.Duration
	now      func() time.Time
}

// NewSessions returns the session store. ttl is the idle timeout.
func NewSessions(store kv.Store, ttl time.Duration) *Sessions {
	return &Sessions{
		store:    store,
		sessions: repo.New[Session](store, "session:", repo.WithTTL(ttl)),
		ttl:      ttl,
		now:      time.Now,
	}
}

func newID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func indexKey(editor string) string { return "editor:" + editor + ":sessions" }

// Create signs editor in and returns the new session.
func (s *Sessions) Create(ctx context.Context, editor string) (Session, error) {
	now := s.now()
	sess := Session{ID: newID(), Editor: editor, Created: now, LastSeen: now}
	if err := s.sessions.Put(ctx, sess.ID, sess); err != nil {
		return Session{}, err
	}
	ids, _, err := kvjson.GetJSON[[]string](ctx, s.store, indexKey(editor))
	if err != nil {
		return sess, err
	}
	ids = append(ids, sess.ID)
	if len(ids) > 20 {
		ids = ids[len(ids)-20:]
	}
	return sess, kvjson.PutJSON(ctx, s.store, indexKey(editor), ids, kv.PutOptions{TTL: 30 * 24 * time.Hour}) // EXPECT kvsession|kvrace
}

// Lookup returns the session without extending it.
func (s *Sessions) Lookup(ctx context.Context, id string) (Session, error) {
	sess, found, err := s.sessions.Get(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if !found {
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Touch records activity and pushes the idle timeout out again.
func (s *Sessions) Touch(ctx context.Context, id string) (Session, error) {
	sess, err := s.Lookup(ctx, id)
	if err != nil {
		return Session{}, err
	}
	sess.LastSeen = s.now()
	return sess, s.sessions.Put(ctx, id, sess) // EXPECT kvsession|kvrace
}

// Logout ends one session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.sessions.Delete(ctx, id) // EXPECT kvsession
}

// RevokeAll ends every session of editor, e.g. after a password change.
func (s *Sessions) RevokeAll(ctx context.Context, editor string) error {
	ids, _, err := kvjson.GetJSON[[]string](ctx, s.store, indexKey(editor))
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
		if err := s.sessions.Delete(ctx, id); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	if err := s.store.Delete(ctx, indexKey(editor)); err != nil { // DEBATABLE kvsession
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
