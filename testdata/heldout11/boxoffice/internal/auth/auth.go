// Package auth signs organisers in with emailed one-time codes, keeps
// their sessions, and issues API keys for the box office integrations.
package auth

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
	"strconv"
	"strings"
	"time"

	"example.com/boxoffice/internal/config"
	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/kvops"
	"example.com/boxoffice/internal/storage"
	"example.com/boxoffice/internal/typed"
)

var (
	// ErrBadCode is returned for a wrong or expired login code.
	ErrBadCode = errors.New("auth: invalid login code")
	// ErrLocked is returned after too many wrong codes.
	ErrLocked = errors.New("auth: too many attempts, request a new code")
	// ErrNoSession is returned when the request carries no valid session.
	ErrNoSession = errors.New("auth: not signed in")
	// ErrBadKey is returned for an unknown API key.
	ErrBadKey = errors.New("auth: invalid api key")
)

// Session is an organiser's signed-in session.
type Session struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

type otpRecord struct {
	Hash  string `json:"hash"`
	Email string `json:"email"`
	OrgID string `json:"org_id"`
}

// APIKey is the stored record of an API key; the secret itself is not kept.
type APIKey struct {
	OrgID   string    `json:"org_id"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
}

// Mailer sends login codes.
type Mailer interface {
	SendCode(ctx context.Context, email, code string) error
}

// Service implements sign-in, sessions and API keys.
type Service struct {
	store    storage.Store
	sessions *typed.Store[Session]
	revoked  *typed.Store[[]string]
	keys     kvops.Ops
	mail     Mailer
	cfg      config.Config
	now      func() time.Time
}

// New returns a Service. keys reads API key records on the request path.
func New(s storage.Store, keys kvops.Ops, mail Mailer, cfg config.Config) *Service {
	return &Service{
		store:    s,
		sessions: typed.New[Session](s, kvkey.Sessions, nil),
		revoked:  typed.New[[]string](s, kvkey.Meta, nil),
		keys:     keys,
		mail:     mail,
		cfg:      cfg,
		now:      time.Now,
	}
}

// StartLogin emails a fresh code to an organiser and returns the login ID
// the sign-in page posts back with the code.
func (s *Service) StartLogin(ctx context.Context, email, orgID string) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	rec, err := json.Marshal(otpRecord{Hash: digest(code), Email: strings.ToLower(email), OrgID: orgID})
	if err != nil {
		return "", err
	}
	loginID := token(18)
	if err := s.store.Put(ctx, kvkey.OTP(loginID).String(), rec, storage.WithTTL(s.cfg.OTPTTL)); err != nil {
		return "", err
	}
	return loginID, s.mail.SendCode(ctx, email, code)
}

// VerifyLogin checks a code and opens a session.
func (s *Service) VerifyLogin(ctx context.Context, loginID, code string) (Session, error) {
	otpKey := kvkey.OTP(loginID).String()
	b, err := s.store.Get(ctx, otpKey)
	if errors.Is(err, storage.ErrNotFound) {
		return Session{}, ErrBadCode
	}
	if err != nil {
		return Session{}, err
	}
	var rec otpRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return Session{}, err
	}
	attemptsKey := kvkey.LoginAttempts(rec.Email).String()
	tries, err := s.attempts(ctx, attemptsKey)
	if err != nil {
		return Session{}, err
	}
	if tries >= s.cfg.MaxLoginTries {
		return Session{}, ErrLocked
	}
	if subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(digest(code))) != 1 {
		_ = s.store.Put(ctx, attemptsKey, []byte(strconv.Itoa(tries+1)), storage.WithTTL(15*time.Minute)) // EXPECT kvcounter
		return Session{}, ErrBadCode
	}
	if err := s.store.Delete(ctx, otpKey); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	now := s.now()
	sess := Session{ID: token(32), OrgID: rec.OrgID, Email: rec.Email, CreatedAt: now, LastSeen: now}
	if err := s.sessions.Put(ctx, sess.ID, sess, s.cfg.SessionTTL); err != nil { // DEBATABLE kvsession
		return Session{}, err
	}
	return sess, nil
}

func (s *Service) attempts(ctx context.Context, key string) (int, error) {
	b, err := s.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}

// Session loads a session by ID and refreshes its expiry.
func (s *Service) Session(ctx context.Context, id string) (Session, error) {
	sess, ok, err := s.sessions.Lookup(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if !ok {
		return Session{}, ErrNoSession
	}
	sess.LastSeen = s.now()
	if err := s.sessions.Put(ctx, id, sess, s.cfg.SessionTTL); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return sess, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, id string) error {
	return s.sessions.Delete(ctx, id) // EXPECT kvsession
}

// RevokeToken adds a token ID to the revocation list checked by integrations.
func (s *Service) RevokeToken(ctx context.Context, tokenID string) error {
	list, _, err := s.revoked.Lookup(ctx, "revoked-tokens")
	if err != nil {
		return err
	}
	for _, id := range list {
		if id == tokenID {
			return nil
		}
	}
	list = append(list, tokenID)
	return s.revoked.Put(ctx, "revoked-tokens", list, 0) // EXPECT kvsession
}

// CreateAPIKey issues a new key for orgID and returns its secret once.
func (s *Service) CreateAPIKey(ctx context.Context, orgID, label string) (string, error) {
	secret := "bo_" + token(24)
	rec, err := json.Marshal(APIKey{OrgID: orgID, Label: label, Created: s.now()})
	if err != nil {
		return "", err
	}
	if err := s.store.Put(ctx, kvkey.APIKey(secret).String(), rec); err != nil {
		return "", err
	}
	return secret, nil
}

// LookupAPIKey returns the record for a presented secret.
func (s *Service) LookupAPIKey(ctx context.Context, secret string) (APIKey, error) {
	if !strings.HasPrefix(secret, "bo_") {
		return APIKey{}, ErrBadKey
	}
	raw, err := s.keys.Get(ctx, kvkey.APIKey(secret).String()) // EXPECT kvnull
	if err != nil {
		return APIKey{}, err
	}
	var k APIKey
	if err := json.Unmarshal([]byte(raw), &k); err != nil {
		return APIKey{}, fmt.Errorf("auth: api key record: %w", err)
	}
	return k, nil
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
