package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"tui/internal/kvstore"
)

// SessionTTL is the console session lifetime.
const SessionTTL = 12 * time.Hour

// Session is a console login.
type Session struct {
	ID        string    `json:"id"`
	OwnerID   string    `json:"owner"`
	Email     string    `json:"email"`
	Created   time.Time `json:"created"`
	ExpiresAt time.Time `json:"expires"`
}

// Sessions keeps console sessions in KV.
type Sessions struct {
	KV *kvstore.Store
}

func sessionKey(id string) string { return "sess/" + id }

// Start creates a session with a fresh random ID.
func (s *Sessions) Start(ctx context.Context, w http.ResponseWriter, ownerID, email string) (*Session, error) {
	now := time.Now().UTC()
	sess := &Session{ID: newID(), OwnerID: ownerID, Email: email, Created: now, ExpiresAt: now.Add(SessionTTL)}
	raw, _ := json.Marshal(sess)
	if err := s.KV.Put(ctx, sessionKey(sess.ID), raw, kvstore.PutOptions{TTL: SessionTTL}); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: "tui_session", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: int(SessionTTL.Seconds())})
	return sess, nil
}

// Load resolves the session cookie and extends the session while the user is
// active.
func (s *Sessions) Load(ctx context.Context, r *http.Request) (*Session, error) {
	c, err := r.Cookie("tui_session")
	if err != nil {
		return nil, err
	}
	raw, err := s.KV.Get(ctx, sessionKey(c.Value))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, http.ErrNoCookie
	}
	if err != nil {
		return nil, err
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, err
	}
	sess.ExpiresAt = time.Now().UTC().Add(SessionTTL)
	out, _ := json.Marshal(sess)
	if err := s.KV.Put(ctx, sessionKey(sess.ID), out, kvstore.PutOptions{TTL: SessionTTL}); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &sess, nil
}

// End logs the user out.
func (s *Sessions) End(ctx context.Context, w http.ResponseWriter, id string) error {
	http.SetCookie(w, &http.Cookie{Name: "tui_session", Value: "", Path: "/", MaxAge: -1})
	return s.KV.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}
