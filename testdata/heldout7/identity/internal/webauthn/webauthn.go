// Package webauthn stores WebAuthn ceremony challenges and credentials.
// Signature verification lives in the verifier package of the edge Worker;
// this package only owns the state.
package webauthn

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"example.com/identity/internal/repo"
	"example.com/identity/internal/store"
)

// Config is set once at startup.
type Config struct {
	RPID         string
	RPOrigin     string
	ChallengeTTL time.Duration
}

// Credential is a registered authenticator; registration writes it once.
type Credential struct {
	ID        string    `json:"id"`
	UserID    string    `json:"sub"`
	PublicKey []byte    `json:"pk"`
	SignCount uint32    `json:"sign_count"`
	LastUsed  time.Time `json:"last_used"`
}

type challenge struct {
	UserID    string `json:"sub"`
	Challenge string `json:"challenge"`
	Kind      string `json:"kind"` // "create" or "get"
}

// Service runs registration and assertion ceremonies.
type Service struct {
	st    store.Store
	creds *repo.Repo[Credential]
	cfg   Config
}

// NewService wires the service.
func NewService(st store.Store, cfg Config) *Service {
	return &Service{
		st:    st,
		creds: repo.New[Credential](st, "webauthn:cred:"),
		cfg:   cfg,
	}
}

var (
	ErrChallenge = errors.New("webauthn: challenge missing or expired")
	ErrCloned    = errors.New("webauthn: signature counter went backwards")
)

func ceremonyKey(id string) string { return "webauthn:chal:" + id }

// Begin starts a ceremony and returns its id and the challenge to sign.
func (s *Service) Begin(ctx context.Context, uid, kind string) (ceremony, chal string, err error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", "", err
	}
	chal = base64.RawURLEncoding.EncodeToString(buf)
	ceremony = base64.RawURLEncoding.EncodeToString(buf[:12])
	b, err := json.Marshal(challenge{UserID: uid, Challenge: chal, Kind: kind})
	if err != nil {
		return "", "", err
	}
	return ceremony, chal, s.st.Put(ctx, ceremonyKey(ceremony), b, store.WithTTL(s.cfg.ChallengeTTL))
}

func (s *Service) loadChallenge(ctx context.Context, ceremony, kind, signed string) (*challenge, error) {
	raw, err := s.st.Get(ctx, ceremonyKey(ceremony))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrChallenge
	}
	if err != nil {
		return nil, err
	}
	var c challenge
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	if c.Kind != kind || subtle.ConstantTimeCompare([]byte(c.Challenge), []byte(signed)) != 1 {
		return nil, ErrChallenge
	}
	return &c, nil
}

// FinishAssertion checks the signature counter and records the new value.
func (s *Service) FinishAssertion(ctx context.Context, ceremony, signed, credID string, signCount uint32) (*Credential, error) {
	c, err := s.loadChallenge(ctx, ceremony, "get", signed)
	if err != nil {
		return nil, err
	}
	cred, err := s.creds.Get(ctx, credID)
	if err != nil {
		return nil, err
	}
	if c.UserID != "" && cred.UserID != c.UserID {
		return nil, ErrChallenge
	}
	if signCount != 0 && signCount <= cred.SignCount {
		return nil, ErrCloned
	}
	cred.SignCount = signCount
	cred.LastUsed = time.Now().UTC()
	if err := s.creds.Save(ctx, credID, cred); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &cred, nil
}
