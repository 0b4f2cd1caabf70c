// Package auth handles operator console sessions, e-mail sign-in links and
// device bearer tokens.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"dowitcher/internal/kvstore"
)

// Errors returned to the HTTP layer.
var (
	ErrNoSession   = errors.New("auth: no such session")
	ErrLinkInvalid = errors.New("auth: sign-in link invalid or expired")
	ErrOTPInvalid  = errors.New("auth: one-time code invalid")
)

// Session is an operator's console session.
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"uid"`
	Email    string    `json:"email"`
	Org      string    `json:"org"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Sessions stores console sessions and sign-in links.
type Sessions struct {
	kv      *kvstore.Store
	ttl     time.Duration
	linkTTL time.Duration
}

// NewSessions returns a session store.
func NewSessions(kv *kvstore.Store, ttl, linkTTL time.Duration) *Sessions {
	return &Sessions{kv: kv, ttl: ttl, linkTTL: linkTTL}
}

func randomID(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func sessionKey(userID, id string) string { return kvstore.Join("sess", userID, id) }

func linkKey(email, token string) string {
	return kvstore.Join("ml", kvstore.EmailHash(email), kvstore.TokenHash(token))
}

// Create starts a new session for a signed-in operator.
func (s *Sessions) Create(ctx context.Context, userID, email, org string) (*Session, error) {
	id, err := randomID(24)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	sess := &Session{ID: userID + "." + id, UserID: userID, Email: email, Org: org, Created: now, LastSeen: now}
	b, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	if err := s.kv.PutTTL(ctx, sessionKey(userID, id), b, s.ttl); err != nil {
		return nil, err
	}
	return sess, nil
}

func splitSessionID(sid string) (userID, id string, ok bool) {
	return strings.Cut(sid, ".")
}

// Lookup returns the session for a cookie value.
func (s *Sessions) Lookup(ctx context.Context, sid string) (*Session, error) {
	uid, id, ok := splitSessionID(sid)
	if !ok {
		return nil, ErrNoSession
	}
	raw, found, err := s.kv.Lookup(ctx, sessionKey(uid, id))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNoSession
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, err
	}
	return &sess, nil
}

// Touch extends the session so that active operators are not signed out
// in the middle of a rollout.
func (s *Sessions) Touch(ctx context.Context, sid string) (*Session, error) {
	sess, err := s.Lookup(ctx, sid)
	if err != nil {
		return nil, err
	}
	sess.LastSeen = time.Now().UTC()
	b, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	uid, id, _ := splitSessionID(sid)
	if err := s.kv.PutTTL(ctx, sessionKey(uid, id), b, s.ttl); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return sess, nil
}

// Logout ends one session.
func (s *Sessions) Logout(ctx context.Context, sid string) error {
	uid, id, ok := splitSessionID(sid)
	if !ok {
		return nil
	}
	return s.kv.Delete(ctx, sessionKey(uid, id)) // EXPECT kvsession
}

// LogoutEverywhere ends all sessions of a user, e.g. after a password
// change.
func (s *Sessions) LogoutEverywhere(ctx context.Context, userID string) (int, error) {
	keys, truncated, err := s.kv.KeysUpTo(ctx, kvstore.Folder("sess", userID), 1000)
	if err != nil {
		return 0, err
	}
	if truncated {
		return 0, fmt.Errorf("auth: user %s has more than 1000 sessions", userID)
	}
	if err := s.kv.DeleteMany(ctx, keys); err != nil { // EXPECT kvsession
		return 0, err
	}
	return len(keys), nil
}

// SendLink creates a sign-in link token for email. The caller mails it.
func (s *Sessions) SendLink(ctx context.Context, email string) (string, error) {
	token, err := randomID(32)
	if err != nil {
		return "", err
	}
	payload := strings.ToLower(strings.TrimSpace(email))
	if err := s.kv.PutTTL(ctx, linkKey(email, token), []byte(payload), s.linkTTL); err != nil {
		return "", err
	}
	return token, nil
}

// RedeemLink checks a sign-in link and consumes it.
func (s *Sessions) RedeemLink(ctx context.Context, email, token string) error {
	key := linkKey(email, token)
	raw, found, err := s.kv.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if !found || subtle.ConstantTimeCompare(raw, []byte(strings.ToLower(strings.TrimSpace(email)))) != 1 {
		return ErrLinkInvalid
	}
	return s.kv.Delete(ctx, key) // EXPECT kvsession
}

// otpKey holds the pending second-factor code of a user.
func otpKey(userID string) string { return kvstore.Join("otp", userID) }

// IssueOTP stores a six-digit code for the second sign-in step.
func (s *Sessions) IssueOTP(ctx context.Context, userID string) (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", (uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3]))%1_000_000)
	return code, s.kv.PutLease(ctx, otpKey(userID), []byte(code), 5*time.Minute)
}

// VerifyOTP checks the code and invalidates it.
func (s *Sessions) VerifyOTP(ctx context.Context, userID, code string) error {
	want, found, err := s.kv.Lookup(ctx, otpKey(userID))
	if err != nil {
		return err
	}
	if !found || subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		return ErrOTPInvalid
	}
	defer s.kv.Delete(context.WithoutCancel(ctx), otpKey(userID)) // EXPECT kvsession
	return nil
}
