// Package devicelogin implements the OAuth 2.0 device authorization
// grant (RFC 8628) used by the petrel CLI.
package devicelogin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/petrel/internal/conf"
	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/storage"
	"example.com/petrel/internal/svcbase"
)

// Errors use the RFC 8628 error codes as messages.
var (
	ErrPending  = errors.New("authorization_pending")
	ErrSlowDown = errors.New("slow_down")
	ErrExpired  = errors.New("expired_token")
	ErrDenied   = errors.New("access_denied")
)

// Pending is an authorization waiting for the user.
type Pending struct {
	DeviceCode string    `json:"device_code"`
	UserCode   string    `json:"user_code"`
	ClientID   string    `json:"client_id"`
	Scope      string    `json:"scope"`
	Approved   bool      `json:"approved"`
	UserID     string    `json:"user_id,omitempty"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Authorization is the response to the device authorization request.
type Authorization struct {
	DeviceCode      string `json:"device_code"`
	UserCode        string `json:"user_code"`
	VerificationURI string `json:"verification_uri"`
	ExpiresIn       int    `json:"expires_in"`
	Interval        int    `json:"interval"`
}

type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

type grant struct {
	UserID   string    `json:"user_id"`
	ClientID string    `json:"client_id"`
	Scope    string    `json:"scope"`
	IssuedAt time.Time `json:"issued_at"`
}

// Service runs the device flow on top of the common record lifecycle.
type Service struct {
	svcbase.Base
	codeTTL   time.Duration
	tokenTTL  time.Duration
	interval  time.Duration
	maxPolls  int
	verifyURI string
}

var _ svcbase.Hooks = (*Service)(nil)

func ProvideService(st storage.Store, cfg conf.Config, verifyURI string) *Service {
	s := &Service{
		codeTTL:   cfg.DeviceCodeTTL(),
		tokenTTL:  cfg.AccessTokenTTL(),
		interval:  5 * time.Second,
		maxPolls:  200,
		verifyURI: verifyURI,
	}
	s.Base = svcbase.NewBase(st, s, storage.PutOptions{TTL: 10 * time.Minute})
	return s
}

// Validate implements svcbase.Hooks: expired authorizations are never written.
func (s *Service) Validate(_ context.Context, key string, v any) error {
	if p, ok := v.(*Pending); ok && time.Now().After(p.ExpiresAt) {
		return fmt.Errorf("%w: %s", ErrExpired, key)
	}
	return nil
}

func (s *Service) Saved(context.Context, string) {}

func tokenKey(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return "token/" + hex.EncodeToString(sum[:])
}

func (s *Service) Start(ctx context.Context, clientID, scope string) (*Authorization, error) {
	dc, uc := ident.NewDeviceCode(), ident.NewUserCode()
	deadline := time.Now().Add(s.codeTTL)
	p := Pending{DeviceCode: dc.Hex(), UserCode: uc.Display(), ClientID: clientID, Scope: scope, ExpiresAt: deadline}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	// The pending record ends exactly when the code does.
	o := s.Defaults
	o.TTL, o.Expiration = 0, deadline.Unix()
	if err := s.Store.Put(ctx, dc.Key(), b, o); err != nil {
		return nil, err
	}
	if err := s.Save(ctx, uc.Key(), dc.Hex(), s.codeTTL); err != nil {
		return nil, err
	}
	return &Authorization{
		DeviceCode:      dc.Hex(),
		UserCode:        uc.Display(),
		VerificationURI: s.verifyURI,
		ExpiresIn:       int(s.codeTTL.Seconds()),
		Interval:        int(s.interval.Seconds()),
	}, nil
}

// Approve is called from the dashboard once the signed-in user confirms.
func (s *Service) Approve(ctx context.Context, userCode, userID string) error {
	uc, err := ident.ParseUserCode(userCode)
	if err != nil {
		return err
	}
	var dcHex string
	if err := s.Fetch(ctx, uc.Key(), &dcHex); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return ErrExpired
		}
		return err
	}
	dc, err := ident.ParseDeviceCode(dcHex)
	if err != nil {
		return err
	}
	var p Pending
	if err := s.Fetch(ctx, dc.Key(), &p); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return ErrExpired
		}
		return err
	}
	p.Approved, p.UserID = true, userID
	return s.Save(ctx, dc.Key(), &p, 0) // EXPECT kvsession
}

func (s *Service) Poll(ctx context.Context, deviceCode string) (*Token, error) {
	dc, err := ident.ParseDeviceCode(deviceCode)
	if err != nil {
		return nil, ErrExpired
	}
	polls := 0
	if err := s.Fetch(ctx, dc.AttemptsKey(), &polls); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if polls >= s.maxPolls {
		return nil, ErrSlowDown
	}
	if err := s.Save(ctx, dc.AttemptsKey(), polls+1, s.codeTTL); err != nil { // EXPECT kvcounter
		return nil, err
	}
	var p Pending
	if err := s.Fetch(ctx, dc.Key(), &p); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, ErrExpired
		}
		return nil, err
	}
	if !p.Approved {
		return nil, ErrPending
	}
	tok, err := s.mint(ctx, p)
	if err != nil {
		return nil, err
	}
	// The user-code index expires on its own.
	if err := s.Remove(ctx, dc.Key()); err != nil { // EXPECT kvsession
		return nil, err
	}
	return tok, nil
}

func (s *Service) mint(ctx context.Context, p Pending) (*Token, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	tok := "pat_" + base64.RawURLEncoding.EncodeToString(raw)
	g := grant{UserID: p.UserID, ClientID: p.ClientID, Scope: p.Scope, IssuedAt: time.Now().UTC()}
	if err := s.Save(ctx, tokenKey(tok), g, s.tokenTTL); err != nil {
		return nil, err
	}
	return &Token{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(s.tokenTTL.Seconds()), Scope: p.Scope}, nil
}
