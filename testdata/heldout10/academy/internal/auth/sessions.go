package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"example.com/academy/internal/config"
	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore"
)

const cookieName = "academy_session"

type Session struct {
	ID        string    `json:"id"`
	LearnerID string    `json:"learner_id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

type refreshRecord struct {
	LearnerID string    `json:"learner_id"`
	IssuedAt  time.Time `json:"issued_at"`
}

type Sessions struct {
	store           kvstore.Store
	ttl, refreshTTL time.Duration
	// revoke removes a refresh token; tests swap it out.
	revoke func(ctx context.Context, key string) error
}

func NewSessions(store kvstore.Store, cfg config.Auth) *Sessions {
	return &Sessions{store: store, ttl: cfg.SessionTTL, refreshTTL: cfg.RefreshTTL, revoke: store.Delete}
}

// Create starts a session after a successful login and returns it with a
// refresh token.
func (s *Sessions) Create(ctx context.Context, learnerID string) (Session, string, error) {
	id, err := randomID()
	if err != nil {
		return Session{}, "", err
	}
	now := time.Now().UTC()
	sess := Session{ID: id, LearnerID: learnerID, CreatedAt: now, LastSeen: now}
	meta := map[string]string{"learner": learnerID}
	if err := kvstore.PutJSON(ctx, s.store, keys.Session+id, sess, kvstore.WithTTL(s.ttl), kvstore.WithMetadata(meta)); err != nil {
		return Session{}, "", err
	}
	refresh, err := randomID()
	if err == nil {
		err = kvstore.PutJSON(ctx, s.store, keys.Refresh+refresh, refreshRecord{LearnerID: learnerID, IssuedAt: now}, kvstore.WithTTL(s.refreshTTL))
	}
	return sess, refresh, err
}

func (s *Sessions) Lookup(ctx context.Context, id string) (Session, bool, error) {
	return kvstore.GetJSON[Session](ctx, s.store, keys.Session+id)
}

// Logout ends the session behind the cookie.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.store.Delete(ctx, keys.Session+id) // EXPECT kvsession
}

// Rotate exchanges a refresh token for a new session and refresh token.
func (s *Sessions) Rotate(ctx context.Context, token string) (Session, string, error) {
	rec, found, err := kvstore.GetJSON[refreshRecord](ctx, s.store, keys.Refresh+token)
	if err != nil || !found {
		return Session{}, "", errors.Join(ErrInvalidToken, err)
	}
	sess, next, err := s.Create(ctx, rec.LearnerID)
	if err != nil {
		return Session{}, "", err
	}
	if err := s.revoke(ctx, keys.Refresh+token); err != nil { // EXPECT kvsession
		return Session{}, "", err
	}
	return sess, next, nil
}

// RevokeAll signs the learner out everywhere, e.g. after a password
// change: Require rejects sessions created before the marker.
func (s *Sessions) RevokeAll(ctx context.Context, learnerID string) error {
	marker := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	return s.store.Put(ctx, keys.Revoked+learnerID, marker, kvstore.WithTTL(s.ttl)) // EXPECT kvsession
}

func (s *Sessions) revoked(ctx context.Context, sess Session) (bool, error) {
	raw, err := s.store.Get(ctx, keys.Revoked+sess.LearnerID)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	at, err := time.Parse(time.RFC3339Nano, string(raw))
	return err == nil && !sess.CreatedAt.After(at), err
}

// Require is middleware that rejects requests without a live session and
// puts the learner ID in the request context.
func (s *Sessions) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := r.Cookie(cookieName)
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		sess, ok, err := s.Lookup(ctx, c.Value)
		if err == nil && ok {
			ok, err = s.revoked(ctx, sess)
			ok = !ok
		}
		if err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		if !ok {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		// keep active learners signed in: push the expiry out on each request
		sess.LastSeen = time.Now().UTC()
		raw, _ := json.Marshal(sess)
		if err := kvstore.Write(s.store).Key(keys.Session+sess.ID).TTL(s.ttl).Put(ctx, raw); err != nil { // EXPECT kvsession
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithLearner(ctx, sess.LearnerID)))
	})
}
