// Package session keeps pharmacist sign-ins for the store terminals.
package session

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"hihi/internal/db"
)

// ErrUnauthenticated is returned for unknown, expired or revoked sessions.
var ErrUnauthenticated = errors.New("session: unauthenticated")

const (
	// ShiftLength is the absolute lifetime of a terminal session.
	ShiftLength = 12 * time.Hour
	// IdleTimeout signs a terminal out after this long without activity.
	IdleTimeout = 20 * time.Minute
	// touchEvery limits how often activity is written back.
	touchEvery = 5 * time.Minute
	// revocationTTL outlives any token issued before the revocation.
	revocationTTL = 13 * time.Hour
	// maxSessionPages bounds the listing done on a password change.
	maxSessionPages = 5
)

// Store manages pharmacist sessions.
type Store struct {
	q *db.Queries
}

// NewStore returns a Store over the given data layer.
func NewStore(q *db.Queries) *Store { return &Store{q: q} }

// Token is the opaque value put in the terminal's cookie.
type Token struct {
	PharmacistID string
	ID           string
}

func (t Token) String() string { return t.PharmacistID + "." + t.ID }

// ParseToken splits a cookie value.
func ParseToken(s string) (Token, bool) {
	p, id, ok := strings.Cut(s, ".")
	if !ok || p == "" || id == "" {
		return Token{}, false
	}
	return Token{PharmacistID: p, ID: id}, true
}

// Login creates a session for a pharmacist who has just authenticated.
func (s *Store) Login(ctx context.Context, pharmacistID, storeID, role string) (Token, error) {
	id := rand.Text()
	now := time.Now().UTC()
	err := s.q.CreateSession(ctx, db.CreateSessionParams{
		PharmacistID: pharmacistID,
		ID:           id,
		Session: db.PharmacistSession{
			ID:           id,
			PharmacistID: pharmacistID,
			StoreID:      storeID,
			Role:         role,
			CreatedAt:    now,
			LastSeen:     now,
		},
		TTLSeconds: int(ShiftLength.Seconds()),
	})
	if err != nil {
		return Token{}, err
	}
	return Token{PharmacistID: pharmacistID, ID: id}, nil
}

// Authenticate resolves a token to its session and records the activity
// that keeps an idle terminal signed in.
func (s *Store) Authenticate(ctx context.Context, tok Token) (db.PharmacistSession, error) {
	sess, err := s.q.GetSession(ctx, tok.PharmacistID, tok.ID)
	if errors.Is(err, db.ErrNoRows) {
		return db.PharmacistSession{}, ErrUnauthenticated
	}
	if err != nil {
		return db.PharmacistSession{}, err
	}
	now := time.Now().UTC()
	if now.Sub(sess.LastSeen) > IdleTimeout || now.Sub(sess.CreatedAt) > ShiftLength {
		return db.PharmacistSession{}, ErrUnauthenticated
	}
	if now.Sub(sess.LastSeen) < touchEvery {
		return sess, nil
	}
	sess.LastSeen = now
	err = s.q.TouchSession(ctx, db.TouchSessionParams{ // EXPECT kvsession
		PharmacistID: tok.PharmacistID,
		ID:           tok.ID,
		Session:      sess,
		TTLSeconds:   int(IdleTimeout), // EXPECT kvttl
	})
	return sess, err
}

// Logout ends the terminal session.
func (s *Store) Logout(ctx context.Context, tok Token) error {
	return s.q.DeleteSession(ctx, tok.PharmacistID, tok.ID) // EXPECT kvsession
}

// RevokeAll signs a pharmacist out everywhere, after a password change or
// when a badge is reported lost.
func (s *Store) RevokeAll(ctx context.Context, pharmacistID string) (int, error) {
	var cursor string
	n := 0
	for page := 0; page < maxSessionPages; page++ {
		row, err := s.q.ListSessions(ctx, db.ListSessionsParams{PharmacistID: pharmacistID, Cursor: cursor, Limit: 100})
		if err != nil {
			return n, err
		}
		for _, key := range row.Keys {
			id := key[strings.LastIndexByte(key, ':')+1:]
			if err := s.q.DeleteSession(ctx, pharmacistID, id); err != nil { // EXPECT kvsession
				return n, err
			}
			n++
		}
		if row.Cursor == "" {
			break
		}
		cursor = row.Cursor
	}
	return n, nil
}

// RevokeToken blocks an API token for the integrations that call the
// refill API on behalf of a store.
func (s *Store) RevokeToken(ctx context.Context, jti string) error {
	return s.q.CreateRevocation(ctx, db.CreateRevocationParams{ // EXPECT kvsession
		Jti:        jti,
		Revocation: db.Revocation{Jti: jti, RevokedAt: time.Now().UTC()},
		TTLSeconds: int(revocationTTL.Seconds()),
	})
}

// Revoked reports whether an API token was revoked.
func (s *Store) Revoked(ctx context.Context, jti string) (bool, error) {
	_, err := s.q.GetRevocation(ctx, jti)
	if errors.Is(err, db.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
