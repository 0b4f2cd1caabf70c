// Package tokens manages opaque refresh tokens with rotation. Token records
// live in KV so the edge token Worker can validate them without a round trip
// to the origin.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"example.com/identity/internal/store"
)

// Record is stored under rt:<sha256(token)>.
type Record struct {
	UserID        string    `json:"sub"`
	ClientID      string    `json:"client_id"`
	FamilyID      string    `json:"family"`
	Scopes        []string  `json:"scope"`
	IssuedAt      time.Time `json:"iat"`
	FamilyExpires time.Time `json:"family_exp"`
	Rotated       bool      `json:"rotated,omitempty"`
	ReplacedBy    string    `json:"replaced_by,omitempty"`
}

// FamilyRevoker records revoked token families in the primary database.
type FamilyRevoker interface {
	RevokeFamily(ctx context.Context, familyID, reason string) error
}

// Service issues and rotates refresh tokens.
type Service struct {
	st       store.Store
	families FamilyRevoker
	lifetime time.Duration
	grace    time.Duration
	log      *slog.Logger
	now      func() time.Time
}

// New returns a Service. lifetime bounds a token family from first issue.
func New(st store.Store, families FamilyRevoker, lifetime time.Duration, log *slog.Logger) *Service {
	return &Service{st: st, families: families, lifetime: lifetime, grace: time.Hour, log: log, now: time.Now}
}

var (
	ErrInvalid = errors.New("tokens: invalid refresh token")
	ErrReused  = errors.New("tokens: refresh token reused")
)

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return "rt:" + hex.EncodeToString(sum[:])
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Issue starts a new token family.
func (s *Service) Issue(ctx context.Context, uid, clientID string, scopes []string) (string, error) {
	now := s.now()
	rec := Record{UserID: uid, ClientID: clientID, FamilyID: newToken()[:16], Scopes: scopes, IssuedAt: now, FamilyExpires: now.Add(s.lifetime)}
	b, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	tok := newToken()
	if err := s.st.Put(ctx, hashToken(tok), b, store.ExpiresAt(rec.FamilyExpires)); err != nil {
		return "", err
	}
	return tok, nil
}

// Rotate exchanges a refresh token for a new one in the same family.
func (s *Service) Rotate(ctx context.Context, presented string) (string, *Record, error) {
	oldKey := hashToken(presented)
	raw, err := s.st.Get(ctx, oldKey)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, ErrInvalid
	}
	if err != nil {
		return "", nil, err
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", nil, err
	}
	if rec.Rotated {
		s.log.Warn("refresh token reuse", "family", rec.FamilyID, "sub", rec.UserID)
		if err := s.families.RevokeFamily(ctx, rec.FamilyID, "reuse"); err != nil {
			return "", nil, err
		}
		return "", nil, ErrReused
	}
	if !s.now().Before(rec.FamilyExpires) {
		return "", nil, ErrInvalid
	}

	next := newToken()
	nrec := rec
	nrec.IssuedAt = s.now()
	b, err := json.Marshal(nrec)
	if err != nil {
		return "", nil, err
	}
	if err := s.st.Put(ctx, hashToken(next), b, store.WithTTL(time.Until(rec.FamilyExpires))); err != nil { // EXPECT kvttl
		return "", nil, err
	}

	// Keep the old record around for a while so that reuse can be detected.
	rec.Rotated = true
	rec.ReplacedBy = hashToken(next)
	ob, err := json.Marshal(rec)
	if err != nil {
		return "", nil, err
	}
	if err := s.st.Put(ctx, oldKey, ob, store.WithTTL(s.grace)); err != nil { // EXPECT kvsession
		return "", nil, err
	}
	return next, &nrec, nil
}
