// Package session keeps dashboard sessions, CSRF tokens and email login
// codes.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"wagtail/internal/config"
	"wagtail/internal/kvstore"
)

// ErrNoSession is returned for an unknown, expired or revoked session.
var ErrNoSession = errors.New("session: not found")

// ErrInvalidCode is returned for an incorrect or expired login code.
var ErrInvalidCode = errors.New("session: invalid code")

// Session is a signed-in dashboard user.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	TenantID  string    `json:"tenant_id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Store keeps sessions under sess:<id> and a per-user index under
// usess:<user>:<id>.
type Store struct {
	kvstore.Base
	ttl   config.TTLs
	users func(parts ...string) string
}

// NewStore returns a Store in namespace ns.
func NewStore(ns string, ttl config.TTLs) *Store {
	return &Store{
		Base:  kvstore.NewBase(ns, kvstore.KindSession),
		ttl:   ttl,
		users: kvstore.Prefixed("usess"),
	}
}

// Create starts a session with a fresh random ID.
func (s *Store) Create(ctx context.Context, userID, tenantID, email string) (Session, error) {
	now := time.Now().UTC()
	sess := Session{
		ID:        token(32),
		UserID:    userID,
		TenantID:  tenantID,
		Email:     email,
		CreatedAt: now,
		ExpiresAt: now.Add(s.ttl.Session),
	}
	raw, err := json.Marshal(sess)
	if err != nil {
		return Session{}, err
	}
	var b kvstore.Batch
	b.Add(s.KeyOf(sess.ID), raw, s.ttl.Session)
	b.Add(s.users(userID, sess.ID), []byte(now.Format(time.RFC3339)), s.ttl.Session)
	return sess, b.Flush(ctx, s.NS)
}

// Resume loads the session of a request and slides its expiry forward.
func (s *Store) Resume(ctx context.Context, sid string) (Session, error) {
	var sess Session
	if err := s.GetJSON(ctx, s.KeyOf(sid), &sess); err != nil {
		if kvstore.IsMiss(err) {
			return Session{}, ErrNoSession
		}
		return Session{}, err
	}
	if _, err := kvstore.GetBytes(ctx, s.NS, kvstore.Key("revoked", sid)); err == nil {
		return Session{}, ErrNoSession
	} else if !kvstore.IsMiss(err) {
		return Session{}, err
	}
	sess.ExpiresAt = time.Now().UTC().Add(s.ttl.Session)
	if err := s.PutJSON(ctx, s.KeyOf(sid), sess, s.ttl.Session); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return sess, nil
}

// Extend renews a session from the "keep me signed in" prompt once less
// than half of its lifetime is left.
func (s *Store) Extend(ctx context.Context, sess Session) (Session, error) {
	if time.Until(sess.ExpiresAt) > s.ttl.Session/2 {
		return sess, nil
	}
	sess.ExpiresAt = time.Now().UTC().Add(s.ttl.Session)
	return sess, s.PutJSON(ctx, s.KeyOf(sess.ID), sess, s.ttl.Session) // DEBATABLE kvsession
}

// SwitchTenant moves a session to another tenant the user belongs to.
func (s *Store) SwitchTenant(ctx context.Context, sid, tenantID string) (Session, error) {
	var sess Session
	if err := s.GetJSON(ctx, s.KeyOf(sid), &sess); err != nil {
		return Session{}, err
	}
	sess.TenantID = tenantID
	return sess, s.PutJSON(ctx, s.KeyOf(sid), sess, time.Until(sess.ExpiresAt)) // EXPECT kvsession
}

// Logout ends a session.
func (s *Store) Logout(ctx context.Context, sid string) error {
	return s.Remove(ctx, s.KeyOf(sid)) // EXPECT kvsession
}

// RevokeAll revokes every session of a user, e.g. after a password change.
func (s *Store) RevokeAll(ctx context.Context, userID string) (int, error) {
	const maxPages = 5
	prefix := s.users(userID) + ":"
	var revoked kvstore.Batch
	cursor := ""
	for page := 0; page < maxPages; page++ {
		keys, next, err := kvstore.ListPage(ctx, s.NS, prefix, cursor, 1000)
		if err != nil {
			return 0, err
		}
		for _, k := range keys {
			sid := strings.TrimPrefix(k.Name, prefix)
			revoked.Add(kvstore.Key("revoked", sid), []byte(userID), s.ttl.Session)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return len(revoked), revoked.Flush(ctx, s.NS) // EXPECT kvsession
}

// IssueCSRF mints the CSRF token of a session.
func (s *Store) IssueCSRF(ctx context.Context, sid string) (string, error) {
	tok := token(24)
	_, err := kvstore.API.WriteWorkersKVEntries(ctx, kvstore.Account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.NS,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           kvstore.Key("csrf", sid),
			Value:         tok,
			ExpirationTTL: int(s.ttl.Session), // EXPECT kvttl
		}},
	})
	return tok, err
}

// CheckCSRF compares a submitted token with the session's.
func (s *Store) CheckCSRF(ctx context.Context, sid, submitted string) (bool, error) {
	raw, err := kvstore.GetBytes(ctx, s.NS, kvstore.Key("csrf", sid))
	if kvstore.IsMiss(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(raw, []byte(submitted)) == 1, nil
}

type otpRecord struct {
	Hash      string    `json:"hash"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Expiry makes the record expire with the code.
func (o otpRecord) Expiry() time.Duration { return time.Until(o.ExpiresAt) }

// StartLogin mails a six-digit code; the caller sends the email.
func (s *Store) StartLogin(ctx context.Context, email string) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	rec := otpRecord{Hash: digest(email + ":" + code), ExpiresAt: time.Now().Add(10 * time.Minute)}
	return code, kvstore.PutValue(ctx, s.NS, kvstore.Key("otp", digest(email)), rec)
}

// FinishLogin checks a code and consumes it.
func (s *Store) FinishLogin(ctx context.Context, email, code string) error {
	key := kvstore.Key("otp", digest(email))
	m, err := kvstore.Lookup[otpRecord](ctx, s.NS, key)
	if err != nil {
		return err
	}
	rec, ok := m.Get()
	if !ok || time.Now().After(rec.ExpiresAt) || rec.Hash != digest(email+":"+code) {
		return ErrInvalidCode
	}
	return kvstore.Delete(ctx, s.NS, key) // EXPECT kvsession
}

func token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(s)))
	return hex.EncodeToString(sum[:])
}
