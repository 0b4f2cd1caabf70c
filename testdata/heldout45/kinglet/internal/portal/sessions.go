// Package portal implements customer portal logins and sessions.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"kinglet/internal/kvstore"
)

// Session is a signed-in portal user.
type Session struct {
	ID            string    `json:"id"`
	UserID        string    `json:"user_id"`
	CustomerID    string    `json:"customer_id"`
	Email         string    `json:"email"`
	ActiveCompany string    `json:"active_company,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	LastSeen      time.Time `json:"last_seen"`
}

// Sessions stores portal sessions in the sessions namespace.
type Sessions struct {
	Store     *kvstore.Store
	Namespace string
	TTL       time.Duration
}

func sessionKey(id string) string { return "sess:" + id }

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Create starts a session for a user who just proved their identity.
func (s Sessions) Create(ctx context.Context, userID, customerID, email string) (Session, error) {
	now := time.Now().UTC()
	sess := Session{
		ID:         randomID(32),
		UserID:     userID,
		CustomerID: customerID,
		Email:      email,
		CreatedAt:  now,
		LastSeen:   now,
	}
	if err := s.Store.PutJSON(ctx, s.Namespace, sessionKey(sess.ID), sess, s.TTL); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Get loads a session.
func (s Sessions) Get(ctx context.Context, id string) (Session, error) {
	var sess Session
	err := s.Store.GetJSON(ctx, s.Namespace, sessionKey(id), &sess)
	return sess, err
}

// Touch extends the session so that active users stay signed in.
func (s Sessions) Touch(ctx context.Context, sess Session) error {
	sess.LastSeen = time.Now().UTC()
	return s.Store.PutJSON(ctx, s.Namespace, sessionKey(sess.ID), sess, s.TTL) // EXPECT kvsession|kvrace
}

// SwitchCompany changes the company a multi-entity user is acting for.
func (s Sessions) SwitchCompany(ctx context.Context, id, company string) (Session, error) {
	sess, err := s.Get(ctx, id)
	if err != nil {
		return Session{}, err
	}
	sess.ActiveCompany = company
	remaining := s.TTL - time.Since(sess.CreatedAt)
	if remaining < time.Minute {
		remaining = time.Minute
	}
	return sess, s.Store.PutJSON(ctx, s.Namespace, sessionKey(id), sess, remaining) // EXPECT kvsession|kvrace
}

// End signs the session out.
func (s Sessions) End(ctx context.Context, id string) error {
	return s.Store.Delete(ctx, s.Namespace, sessionKey(id)) // EXPECT kvsession
}

// RevokeAllBefore invalidates every session of userID created before now,
// used after a password or e-mail change.
func (s Sessions) RevokeAllBefore(ctx context.Context, userID string, now time.Time) error {
	key := fmt.Sprintf("sess-revoked-before:%s", userID)
	return s.Store.Put(ctx, s.Namespace, key, []byte(strconv.FormatInt(now.Unix(), 10)), s.TTL) // EXPECT kvsession
}

// Valid reports whether sess is still accepted.
func (s Sessions) Valid(ctx context.Context, sess Session) (bool, error) {
	raw, err := s.Store.Get(ctx, s.Namespace, fmt.Sprintf("sess-revoked-before:%s", sess.UserID))
	if kvstore.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	cutoff, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return false, err
	}
	return sess.CreatedAt.Unix() >= cutoff, nil
}
