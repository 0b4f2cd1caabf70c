// Package prefs keeps customers' notification preferences and the tokens
// that change them from outside the portal (unsubscribe links, phone
// verification codes).
package prefs

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/kingfisher-ops/kingfisher/internal/events"
	"github.com/kingfisher-ops/kingfisher/internal/kvstore"
)

// Channels Kingfisher can notify on.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
	ChannelPush  = "push"
)

const (
	unsubscribeTTL = 60 * 24 * time.Hour
	otpTTL         = 10 * time.Minute
)

// ErrInvalidToken is returned for unknown, expired or used tokens.
var ErrInvalidToken = errors.New("prefs: invalid or expired token")

// Preferences is one customer's notification settings.
type Preferences struct {
	CustomerID    string          `json:"customer_id"`
	Channels      map[string]bool `json:"channels"`
	Digest        bool            `json:"digest"`
	PhoneVerified bool            `json:"phone_verified"`
	Phone         string          `json:"phone,omitempty"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// Defaults are the settings of a customer who never changed anything.
func Defaults(customerID string) Preferences {
	return Preferences{
		CustomerID: customerID,
		Channels:   map[string]bool{ChannelEmail: true, ChannelPush: true},
	}
}

// Wants reports whether the customer accepts notifications on channel.
func (p Preferences) Wants(channel string) bool {
	if channel == ChannelSMS && !p.PhoneVerified {
		return false
	}
	return p.Channels[channel]
}

// Service reads and changes preferences.
type Service struct {
	store *kvstore.Store
}

// NewService returns a Service over store.
func NewService(store *kvstore.Store) *Service { return &Service{store: store} }

func prefsKey(customerID string) string { return "prefs:" + customerID }
func unsubKey(token string) string      { return "unsub:" + token }
func otpKey(customerID string) string   { return "otp:" + customerID }

// Get returns the customer's preferences, or the defaults if they have none.
func (s *Service) Get(ctx context.Context, customerID string) (Preferences, error) {
	var p Preferences
	err := s.store.GetJSON(ctx, prefsKey(customerID), &p)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Defaults(customerID), nil
	}
	return p, err
}

// Apply records a change made on the portal's settings page.
func (s *Service) Apply(ctx context.Context, ev events.PreferencesChanged) error {
	var p Preferences
	if err := s.store.GetJSON(ctx, prefsKey(ev.CustomerID), &p); err != nil { // EXPECT kvnull
		p = Defaults(ev.CustomerID)
	}
	if p.Channels == nil {
		p.Channels = map[string]bool{}
	}
	p.Channels[ev.Channel] = ev.Enabled
	if ev.Digest != nil {
		p.Digest = *ev.Digest
	}
	p.UpdatedAt = time.Now().UTC()
	return s.store.PutJSON(ctx, prefsKey(ev.CustomerID), p, 0) // EXPECT kvrace
}

type unsubscribe struct {
	CustomerID string `json:"customer_id"`
	Channel    string `json:"channel"`
}

// IssueUnsubscribe returns a token for the one-click unsubscribe link in a
// notification's footer.
func (s *Service) IssueUnsubscribe(ctx context.Context, customerID, channel string) (string, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	rec, err := json.Marshal(unsubscribe{CustomerID: customerID, Channel: channel})
	if err != nil {
		return "", err
	}
	if err := s.store.Put(ctx, unsubKey(token), rec, unsubscribeTTL); err != nil {
		return "", err
	}
	return token, nil
}

// RedeemUnsubscribe turns the channel off for the token's customer and
// uses the token up.
func (s *Service) RedeemUnsubscribe(ctx context.Context, token string) (string, error) {
	var u unsubscribe
	if err := s.store.GetJSON(ctx, unsubKey(token), &u); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return "", ErrInvalidToken
		}
		return "", err
	}
	p, err := s.Get(ctx, u.CustomerID)
	if err != nil {
		return "", err
	}
	if p.Channels == nil {
		p.Channels = map[string]bool{}
	}
	p.Channels[u.Channel] = false
	p.UpdatedAt = time.Now().UTC()
	if err := s.store.PutJSON(ctx, prefsKey(u.CustomerID), p, 0); err != nil { // EXPECT kvrace
		return "", err
	}
	if err := s.store.Delete(ctx, unsubKey(token)); err != nil { // EXPECT kvsession
		return "", err
	}
	return u.CustomerID, nil
}

type otpRecord struct {
	Code  string    `json:"code"`
	Phone string    `json:"phone"`
	Sent  time.Time `json:"sent"`
}

// StartPhoneVerification stores a six-digit code for phone and returns it
// for the SMS task to send.
func (s *Service) StartPhoneVerification(ctx context.Context, customerID, phone string) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	rec := otpRecord{Code: code, Phone: phone, Sent: time.Now().UTC()}
	if err := s.store.PutJSON(ctx, otpKey(customerID), rec, otpTTL); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return code, nil
}

// VerifyPhone checks code and marks the phone verified.
func (s *Service) VerifyPhone(ctx context.Context, customerID, code string) error {
	var rec otpRecord
	if err := s.store.GetJSON(ctx, otpKey(customerID), &rec); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return ErrInvalidToken
		}
		return err
	}
	if subtle.ConstantTimeCompare([]byte(rec.Code), []byte(code)) != 1 {
		return ErrInvalidToken
	}
	if err := s.store.Delete(ctx, otpKey(customerID)); err != nil { // EXPECT kvsession
		return err
	}
	p, err := s.Get(ctx, customerID)
	if err != nil {
		return err
	}
	p.Phone, p.PhoneVerified = rec.Phone, true
	if p.Channels == nil {
		p.Channels = map[string]bool{}
	}
	p.Channels[ChannelSMS] = true
	p.UpdatedAt = time.Now().UTC()
	return s.store.PutJSON(ctx, prefsKey(customerID), p, 0) // EXPECT kvrace
}
