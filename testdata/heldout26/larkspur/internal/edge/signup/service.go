// Package signup implements double-opt-in subscription, confirmation and
// one-click unsubscribe for the edge worker.
package signup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
	"example.com/larkspur/internal/tokens"
)

// Store is the storage port the service needs.
type Store = kvstore.Store

var (
	ErrInvalidEmail      = errors.New("signup: invalid email address")
	ErrAlreadySubscribed = errors.New("signup: already subscribed")
	ErrLinkExpired       = errors.New("signup: confirmation link expired or unknown")
	ErrUnknownToken      = errors.New("signup: unknown unsubscribe token")
)

// Mailer sends transactional email.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Settings tune the double-opt-in flow. Durations are whole seconds.
type Settings struct {
	ConfirmTTLSeconds int
	UndoWindowSeconds int
	ConfirmBaseURL    string
	DefaultTopics     []string
}

// Service runs the subscription flows.
type Service struct {
	st         Store
	ks         keys.Space
	mailer     Mailer
	baseURL    string
	topics     []string
	confirmTTL time.Duration
	undoWindow time.Duration
}

// NewService returns a Service. The store is set separately because the
// Worker binding only exists once a request is being served.
func NewService(ks keys.Space, m Mailer, set Settings) *Service {
	return &Service{
		ks:         ks,
		mailer:     m,
		baseURL:    strings.TrimSuffix(set.ConfirmBaseURL, "/"),
		topics:     slices.Clone(set.DefaultTopics),
		confirmTTL: time.Duration(max(set.ConfirmTTLSeconds, 60)) * time.Second,
		undoWindow: time.Duration(set.UndoWindowSeconds) * time.Second,
	}
}

// SetStore injects the storage adapter.
func (s *Service) SetStore(st Store) { s.st = st }

// confirmEntry returns the key of a pending confirmation and how long the
// link stays valid.
func (s *Service) confirmEntry(token string) (string, time.Duration) {
	return s.ks.Confirm(token), s.confirmTTL
}

func (s *Service) saveSubscriber(ctx context.Context, sub domain.Subscriber) error {
	b, err := json.Marshal(sub)
	if err != nil {
		return err
	}
	return s.st.Put(ctx, s.ks.Subscriber(sub.ListID, keys.EmailHash(sub.Email)), b)
}

// Subscribe starts a double opt-in: it stores a pending confirmation and
// mails the link. Nothing is written for the subscriber until it confirms.
func (s *Service) Subscribe(ctx context.Context, listID, email, source string) error {
	addr, err := mail.ParseAddress(email)
	if err != nil {
		return ErrInvalidEmail
	}
	hash := keys.EmailHash(addr.Address)
	existing, err := kvstore.Load[domain.Subscriber](ctx, s.st, s.ks.Subscriber(listID, hash))
	switch {
	case err == nil && existing.Status == domain.StatusActive:
		return ErrAlreadySubscribed
	case err != nil && !kvstore.IsNotFound(err):
		return fmt.Errorf("signup: lookup subscriber: %w", err)
	}

	token := tokens.NewSecret()
	now := time.Now().UTC()
	p := domain.Pending{Token: token, IssuedAt: now, Subscriber: domain.Subscriber{
		ID: tokens.NewID(), ListID: listID, Email: addr.Address, Status: domain.StatusPending, Topics: s.topics, Source: source, CreatedAt: now,
	}}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	key, ttl := s.confirmEntry(token)
	if err := s.st.Put(ctx, key, b, kvstore.WithTTL(ttl)); err != nil {
		return fmt.Errorf("signup: store confirmation: %w", err)
	}
	link := s.baseURL + "/confirm?t=" + token
	return s.mailer.Send(ctx, addr.Address, "Please confirm your subscription",
		"Click to confirm: "+link+"\nThis link expires in "+ttl.String()+".")
}

// Confirm redeems a confirmation link and activates the subscriber.
func (s *Service) Confirm(ctx context.Context, token string) (domain.Subscriber, error) {
	key, _ := s.confirmEntry(token)
	p, err := kvstore.Load[domain.Pending](ctx, s.st, key)
	if kvstore.IsNotFound(err) {
		return domain.Subscriber{}, ErrLinkExpired
	}
	if err != nil {
		return domain.Subscriber{}, err
	}

	sub := p.Subscriber
	sub.Status = domain.StatusActive
	sub.ConfirmedAt = time.Now().UTC()
	if err := s.saveSubscriber(ctx, sub); err != nil {
		return domain.Subscriber{}, err
	}

	unsub, err := json.Marshal(domain.Unsubscribe{ListID: sub.ListID, EmailHash: keys.EmailHash(sub.Email)})
	if err != nil {
		return domain.Subscriber{}, err
	}
	if err := s.st.Put(ctx, s.ks.Unsub(sub.ID), unsub); err != nil {
		return domain.Subscriber{}, err
	}
	if err := s.addToIndex(ctx, sub.ListID, sub.ID); err != nil {
		return domain.Subscriber{}, err
	}
	if err := s.st.Delete(ctx, key); err != nil { // EXPECT kvsession
		return domain.Subscriber{}, err
	}
	return sub, nil
}

// mutate applies fn to the JSON list stored under key.
func (s *Service) mutate(ctx context.Context, key string, fn func([]string) []string) error {
	var ids []string
	b, err := s.st.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &ids); err != nil {
			return err
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	out, err := json.Marshal(fn(ids))
	if err != nil {
		return err
	}
	return s.st.Put(ctx, key, out) // EXPECT kvrace
}

func (s *Service) addToIndex(ctx context.Context, listID, subscriberID string) error {
	return s.mutate(ctx, s.ks.ListIndex(listID), func(ids []string) []string {
		if slices.Contains(ids, subscriberID) {
			return ids
		}
		return append(ids, subscriberID)
	})
}

// Unsubscribe suppresses the address behind an unsubscribe token and
// returns a token that can undo it for a short while.
func (s *Service) Unsubscribe(ctx context.Context, token string) (string, error) {
	u, err := kvstore.Load[domain.Unsubscribe](ctx, s.st, s.ks.Unsub(token))
	if kvstore.IsNotFound(err) {
		return "", ErrUnknownToken
	}
	if err != nil {
		return "", err
	}
	if err := s.st.Put(ctx, s.ks.Suppressed(u.EmailHash), []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		return "", err
	}
	undo := tokens.NewSecret()
	b, err := json.Marshal(u)
	if err != nil {
		return "", err
	}
	if err := s.st.Put(ctx, s.ks.Undo(undo), b, kvstore.WithTTL(s.undoWindow)); err != nil {
		return "", err
	}
	return undo, nil
}
