// Package auth handles patient portal sign-in: short-lived sessions kept in
// KV behind the storage port, and refresh tokens written directly through
// the SDK.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvrest"
	"example.com/clinic/internal/kvstore"
	"example.com/clinic/internal/kvstore/cfkv"
)

var (
	ErrUnauthenticated = errors.New("auth: not signed in")
	ErrInvalidToken    = errors.New("auth: refresh token invalid or used")
)

type Session struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient_id"`
	ClinicID  string    `json:"clinic_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

type refreshRecord struct {
	PatientID string    `json:"patient_id"`
	ClinicID  string    `json:"clinic_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Service is the sign-in service. It embeds the session store so handlers
// can reach Get for diagnostics.
type Service struct {
	kvstore.Store
	tokens      cfkv.Namespace
	revocations *kvrest.Client
	ttl         time.Duration
	refreshTTL  time.Duration
	now         func() time.Time
}

type Option func(*Service)

func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

func New(sessions kvstore.Store, tokens cfkv.Namespace, revocations *kvrest.Client, ttl, refreshTTL time.Duration, opts ...Option) *Service {
	s := &Service{Store: sessions, tokens: tokens, revocations: revocations, ttl: ttl, refreshTTL: refreshTTL, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

func newID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Login creates a session and a refresh token for a verified patient.
func (s *Service) Login(ctx context.Context, patientID, clinicID string) (Session, string, error) {
	now := s.now()
	sess := Session{ID: newID(), PatientID: patientID, ClinicID: clinicID, CreatedAt: now, ExpiresAt: now.Add(s.ttl)}
	b, err := json.Marshal(sess)
	if err != nil {
		return Session{}, "", err
	}
	if err := s.Put(ctx, keys.SessionPrefix+sess.ID, b, kvstore.WithTTL(s.ttl)); err != nil {
		return Session{}, "", fmt.Errorf("auth: store session: %w", err)
	}
	rt, err := s.issueRefresh(ctx, patientID, clinicID)
	if err != nil {
		return Session{}, "", err
	}
	return sess, rt, nil
}

func (s *Service) issueRefresh(ctx context.Context, patientID, clinicID string) (string, error) {
	tok := newID()
	rec := refreshRecord{PatientID: patientID, ClinicID: clinicID, ExpiresAt: s.now().Add(s.refreshTTL)}
	b, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	_, err = s.tokens.API.KV.Namespaces.Values.Update(ctx, s.tokens.ID, keys.RefreshPrefix+tok, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.tokens.AccountID),
		Value:      cloudflare.F(cfkv.Text(string(b))),
		Expiration: cloudflare.F(float64(rec.ExpiresAt.UnixMilli())), // EXPECT kvttl
	})
	if err != nil {
		return "", fmt.Errorf("auth: store refresh token: %w", err)
	}
	return tok, nil
}

// Refresh exchanges a refresh token for a new session and a new token.
func (s *Service) Refresh(ctx context.Context, token string) (Session, string, error) {
	res, err := s.tokens.API.KV.Namespaces.Values.Get(ctx, s.tokens.ID, keys.RefreshPrefix+token, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.tokens.AccountID)})
	if err != nil {
		if cfkv.IsNotFound(err) {
			return Session{}, "", ErrInvalidToken
		}
		return Session{}, "", err
	}
	var rec refreshRecord
	err = json.NewDecoder(res.Body).Decode(&rec)
	res.Body.Close()
	if err != nil {
		return Session{}, "", fmt.Errorf("auth: decode refresh token: %w", err)
	}
	// Tokens are single use; drop this one before minting the next.
	if _, err := s.tokens.API.KV.Namespaces.Values.Delete(ctx, s.tokens.ID, keys.RefreshPrefix+token, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.tokens.AccountID)}); err != nil { // EXPECT kvsession
		return Session{}, "", err
	}
	return s.Login(ctx, rec.PatientID, rec.ClinicID)
}

// Authenticate resolves a session id and extends it for active patients.
func (s *Service) Authenticate(ctx context.Context, sessionID string) (Session, error) {
	key := keys.SessionPrefix + sessionID
	b, err := s.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, ErrUnauthenticated
	}
	if err != nil {
		return Session{}, err
	}
	var sess Session
	if err := json.Unmarshal(b, &sess); err != nil {
		return Session{}, err
	}
	if s.now().After(sess.ExpiresAt) {
		return Session{}, ErrUnauthenticated
	}
	sess.ExpiresAt = s.now().Add(s.ttl)
	nb, _ := json.Marshal(sess)
	if err := s.Put(ctx, key, nb, kvstore.WithTTL(s.ttl)); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return sess, nil
}

// Logout ends the session.
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	return s.Delete(ctx, keys.SessionPrefix+sessionID) // EXPECT kvsession
}

// RevokeAll is called after a password reset: every session and refresh
// token issued before now is refused by the middleware.
func (s *Service) RevokeAll(ctx context.Context, patientID string) error {
	stamp := strconv.FormatInt(s.now().Unix(), 10)
	return s.revocations.Put(ctx, keys.RevokedPrefix+patientID, []byte(stamp), int((30 * 24 * time.Hour).Seconds())) // EXPECT kvsession
}

// RememberDevice appends the device to the patient's known-device list so
// the next sign-in from it skips the SMS step.
func (s *Service) RememberDevice(ctx context.Context, patientID, deviceID string) {
	go func() {
		ctx := context.WithoutCancel(ctx)
		key := keys.DevicesPrefix + patientID
		known, err := s.Get(ctx, key)
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return
		}
		list := deviceID
		if len(known) > 0 {
			list = string(known) + "," + deviceID
		}
		_ = s.Put(ctx, key, []byte(list)) // EXPECT kvrace|kvsession
	}()
}
