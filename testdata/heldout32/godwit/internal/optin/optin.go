// Package optin runs double opt-in: a pending subscriber gets a confirmation
// link, and clicking it activates the subscription.
package optin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"godwit/internal/keys"
	"godwit/internal/kvstore"
	"godwit/internal/subscribers"
)

var (
	// ErrExpired is returned for unknown, used or expired confirmation tokens.
	ErrExpired = errors.New("confirmation link expired")
	// ErrTooSoon is returned when a confirmation mail was sent moments ago.
	ErrTooSoon = errors.New("confirmation mail already sent, try again shortly")
)

// Mailer sends transactional mail.
type Mailer interface {
	SendConfirmation(ctx context.Context, to, link string) error
}

type pending struct {
	Account  string    `json:"account"`
	ListID   string    `json:"list_id"`
	Email    string    `json:"email"`
	IssuedAt time.Time `json:"issued_at"`
}

// Service issues and redeems confirmation tokens.
type Service struct {
	store   kvstore.Store
	subs    *subscribers.Service
	mail    Mailer
	baseURL string
}

// New returns a Service.
func New(store kvstore.Store, subs *subscribers.Service, mail Mailer, baseURL string) *Service {
	return &Service{store: store, subs: subs, mail: mail, baseURL: baseURL}
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Subscribe records a pending subscriber and mails the confirmation link.
func (s *Service) Subscribe(ctx context.Context, account, listID, email string) error {
	sub := subscribers.Subscriber{Email: email, Status: subscribers.Pending, Lists: []string{listID}, Source: "form"}
	if err := s.subs.Create(ctx, account, sub); err != nil {
		return err
	}
	return s.issue(ctx, account, listID, email)
}

func (s *Service) issue(ctx context.Context, account, listID, email string) error {
	token := newToken()
	raw, _ := json.Marshal(pending{Account: account, ListID: listID, Email: email, IssuedAt: time.Now().UTC()})
	err := s.store.Put(ctx, keys.Build(keys.OptInToken, token), raw, kvstore.PutOptions{TTL: keys.TTL(keys.OptInToken)})
	if err != nil {
		return err
	}
	return s.mail.SendConfirmation(ctx, email, fmt.Sprintf("%s/confirm/%s", s.baseURL, token))
}

// Resend mails a fresh confirmation link, at most once per throttle window.
func (s *Service) Resend(ctx context.Context, account, listID, email string) error {
	throttleKey := keys.Build(keys.OptInResend, account, subscribers.EmailHash(email))
	if _, err := s.store.Get(ctx, throttleKey); err == nil {
		return ErrTooSoon
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := s.store.Put(ctx, throttleKey, stamp, kvstore.PutOptions{TTL: keys.TTL(keys.OptInResend)}); err != nil { // DEBATABLE kvrace
		return err
	}
	return s.issue(ctx, account, listID, email)
}

// Confirm redeems a confirmation token and activates the subscriber.
func (s *Service) Confirm(ctx context.Context, token string) (account, email string, err error) {
	key := keys.Build(keys.OptInToken, token)
	raw, err := s.store.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		if s.recentlyConfirmed(ctx, token) {
			return "", "", nil
		}
		return "", "", ErrExpired
	}
	if err != nil {
		return "", "", err
	}
	var p pending
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", "", err
	}
	if err := s.subs.SetStatus(ctx, p.Account, p.Email, subscribers.Active); err != nil {
		return "", "", err
	}
	if err := s.subs.JoinList(ctx, p.Account, p.ListID, p.Email); err != nil {
		return "", "", err
	}
	if err := s.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", "", err
	}
	s.markConfirmed(ctx, token)
	return p.Account, p.Email, nil
}

// markConfirmed remembers a redeemed token briefly, so a second click on the
// same link shows "already confirmed" instead of "expired".
func (s *Service) markConfirmed(ctx context.Context, token string) {
	short := kvstore.MinTTL{Store: s.store}
	_ = short.Put(ctx, keys.Build(keys.OptInDone, token), []byte("1"), kvstore.PutOptions{TTL: keys.TTL(keys.OptInDone)})
}

func (s *Service) recentlyConfirmed(ctx context.Context, token string) bool {
	_, err := s.store.Get(ctx, keys.Build(keys.OptInDone, token))
	return err == nil
}
