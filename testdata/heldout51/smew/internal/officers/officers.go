// Package officers manages enforcement officers' accounts and the refresh
// tokens their handhelds use against the back office.
package officers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"example.com/smew/internal/kvstore"
)

// ErrInvalidToken is returned for an unknown or expired refresh token.
var ErrInvalidToken = errors.New("officers: invalid refresh token")

var (
	refreshTTL    = kvstore.MustDuration("720h")
	enrollCodeTTL = kvstore.MustDuration("15m")
)

// Record is an officer's account as the edge sees it.
type Record struct {
	Badge   string `json:"badge"`
	Name    string `json:"name"`
	PINHash string `json:"pin_hash"`
	Active  bool   `json:"active"`
}

type refreshRecord struct {
	Badge   string    `json:"badge"`
	Device  string    `json:"device"`
	Issued  time.Time `json:"issued"`
	Parent  string    `json:"parent,omitempty"`
	Rotated int       `json:"rotated"`
}

// Service holds officer records (devices namespace), edge sessions
// (sessions namespace) and refresh tokens (tokens namespace).
type Service struct {
	records  kvstore.Base
	sessions kvstore.Store
	tokens   kvstore.Store
}

// New wires the officer record hooks.
func New(devices, sessions, tokens kvstore.Store) *Service {
	return &Service{
		records: kvstore.Base{
			Store:  devices,
			KeyFor: func(badge string) string { return "officer:" + strings.ToUpper(badge) },
		},
		sessions: sessions,
		tokens:   tokens,
	}
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func fingerprint(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:8])
}

// HashPIN derives the stored form of a PIN.
func HashPIN(badge, pin string) string {
	sum := sha256.Sum256([]byte(strings.ToUpper(badge) + ":" + pin))
	return hex.EncodeToString(sum[:])
}

// IssueEnrollmentCode creates the one-time code an officer types into a new
// handheld.
func (s *Service) IssueEnrollmentCode(ctx context.Context, badge string) (string, error) {
	code := strings.ToUpper(newToken()[:8])
	b, _ := json.Marshal(map[string]any{"badge": badge, "issued": time.Now().UTC()})
	if err := s.records.Store.Put(ctx, "otp:"+code, b, enrollCodeTTL); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return code, nil
}

// Rotate exchanges a refresh token for a new one. The old token stops
// working.
func (s *Service) Rotate(ctx context.Context, old string) (string, error) {
	key := "refresh:" + old
	opt, err := s.tokens.Get(ctx, key)
	if err != nil {
		return "", err
	}
	if !opt.Found {
		return "", ErrInvalidToken
	}
	var rec refreshRecord
	if err := json.Unmarshal(opt.Value, &rec); err != nil {
		return "", err
	}
	if err := s.tokens.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	next := newToken()
	rec.Parent = fingerprint(old)
	rec.Rotated++
	rec.Issued = time.Now().UTC()
	b, _ := json.Marshal(rec)
	if err := s.tokens.Put(ctx, "refresh:"+next, b, refreshTTL); err != nil {
		return "", err
	}
	return next, nil
}

// ResetPIN stores a new PIN and signs the officer out of every handheld.
// Edge sessions are indexed under sessidx:<badge>:<sid>.
func (s *Service) ResetPIN(ctx context.Context, badge, pin string) error {
	var rec Record
	err := s.records.Modify(ctx, badge, &rec, func() error {
		if rec.Badge == "" {
			return errors.New("officers: unknown badge " + badge)
		}
		rec.PINHash = HashPIN(badge, pin)
		return nil
	})
	if err != nil {
		return err
	}
	prefix := "sessidx:" + strings.ToUpper(badge) + ":"
	idx, _, err := kvstore.CollectKeys(ctx, s.sessions, prefix, 5, 500)
	if err != nil {
		return err
	}
	keys := make([]string, 0, 2*len(idx))
	for _, k := range idx {
		keys = append(keys, k, "sess:"+strings.TrimPrefix(k, prefix))
	}
	return kvstore.DeleteAll(ctx, s.sessions, keys) // EXPECT kvsession
}
