// Package checkout runs checkout sessions and creates payment intents with
// the payment provider.
package checkout

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"example.com/commerce/internal/config"
	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform"
	"example.com/commerce/internal/platform/kvjson"
)

var (
	ErrInProgress = errors.New("checkout: already in progress for this cart")
	ErrDuplicate  = errors.New("checkout: duplicate request")
	ErrExpired    = errors.New("checkout: session expired")
)

type Address struct{ Name, Line1, Line2, City, Postcode, Country string }

type Session struct {
	ID         string    `json:"id"`
	CartRef    string    `json:"cart_ref"`
	UserID     string    `json:"user_id"`
	Shipping   *Address  `json:"shipping,omitempty"`
	TotalCents int64     `json:"total_cents"`
	Status     string    `json:"status"`
	ExpiresAt  time.Time `json:"expires_at"`
}

type Intent struct {
	ID           string    `json:"id"`
	SessionID    string    `json:"session_id"`
	ProviderRef  string    `json:"provider_ref"`
	ClientSecret string    `json:"client_secret"`
	AmountCents  int64     `json:"amount_cents"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// ProviderIntent is what the PSP hands back.
type ProviderIntent struct {
	Ref, ClientSecret string
	ExpiresAt         time.Time
}

// Gateway fronts the PSP and the order database.
type Gateway interface {
	CreateIntent(ctx context.Context, amountCents int64, reference string) (ProviderIntent, error)
	Place(ctx context.Context, s Session, providerRef string) (orderID string, err error)
}

type Deps struct {
	KV        ports.ReadWriter
	Gateway   Gateway
	CartTotal func(ctx context.Context, cartRef string) (int64, error)
	Config    config.CheckoutConfig
	Clock     platform.Clock
	IDs       platform.IDGen
}

type Service struct {
	Deps
	sessions *kvjson.Repo[Session]
	intents  *kvjson.Repo[Intent]
}

func NewService(d Deps) *Service {
	return &Service{
		Deps:     d,
		sessions: kvjson.NewRepo[Session](d.KV, "checkout:"),
		intents:  kvjson.NewRepo[Intent](d.KV, "intent:"),
	}
}

func lockKey(cartRef string) string { return "lock:checkout:" + cartRef }

// Start opens a checkout session for a cart. A short lock keeps a double
// click from opening two sessions for the same cart.
func (s *Service) Start(ctx context.Context, cartRef, userID string) (Session, error) {
	if _, err := s.KV.Get(ctx, lockKey(cartRef)); err == nil {
		return Session{}, ErrInProgress
	} else if !errors.Is(err, ports.ErrNotFound) {
		return Session{}, err
	}
	now := s.Clock.Now()
	if err := s.KV.Put(ctx, lockKey(cartRef), []byte(userID), // EXPECT kvrace
		ports.ExpireAt(now.Add(20*time.Second))); err != nil { // EXPECT kvttl
		return Session{}, err
	}
	total, err := s.CartTotal(ctx, cartRef)
	if err != nil {
		return Session{}, err
	}
	sess := Session{
		ID:         s.IDs.NewID(),
		CartRef:    cartRef,
		UserID:     userID,
		TotalCents: total,
		Status:     "open",
		ExpiresAt:  now.Add(s.Config.SessionTTL),
	}
	return sess, s.sessions.Save(ctx, sess.ID, sess, ports.ExpireAt(sess.ExpiresAt))
}

func (s *Service) load(ctx context.Context, id string) (Session, error) {
	sess, ok, err := s.sessions.Load(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if !ok || s.Clock.Now().After(sess.ExpiresAt) {
		return Session{}, ErrExpired
	}
	return sess, nil
}

// SetShipping records the delivery address on the session.
func (s *Service) SetShipping(ctx context.Context, id string, addr Address) (Session, error) {
	sess, err := s.load(ctx, id)
	if err != nil {
		return Session{}, err
	}
	sess.Shipping = &addr
	ttl := max(time.Until(sess.ExpiresAt), 10*time.Second)          // EXPECT kvttl
	return sess, s.sessions.Save(ctx, id, sess, ports.WithTTL(ttl)) // EXPECT kvsession|kvrace
}

// CreateIntent asks the PSP for a payment intent. Clients send an
// Idempotency-Key header; a replay is rejected rather than charged twice.
func (s *Service) CreateIntent(ctx context.Context, sessionID, idemKey string) (Intent, error) {
	ik := "idem:intent:" + idemKey
	if _, err := s.KV.Get(ctx, ik); err == nil {
		return Intent{}, ErrDuplicate
	} else if !errors.Is(err, ports.ErrNotFound) {
		return Intent{}, err
	}
	sess, err := s.load(ctx, sessionID)
	if err != nil {
		return Intent{}, err
	}
	pi, err := s.Gateway.CreateIntent(ctx, sess.TotalCents, sess.ID)
	if err != nil {
		return Intent{}, fmt.Errorf("checkout: psp: %w", err)
	}
	in := Intent{
		ID:           s.IDs.NewID(),
		SessionID:    sess.ID,
		ProviderRef:  pi.Ref,
		ClientSecret: pi.ClientSecret,
		AmountCents:  sess.TotalCents,
		ExpiresAt:    pi.ExpiresAt,
	}
	if err := s.intents.Save(ctx, in.ID, in, ports.WithTTL(pi.ExpiresAt.Sub(s.Clock.Now()))); err != nil { // EXPECT kvttl
		return Intent{}, err
	}
	return in, s.KV.Put(ctx, ik, []byte(in.ID), ports.WithTTL(s.Config.IdempotencyTTL)) // EXPECT kvrace
}

// Confirm is called from the PSP webhook once the intent succeeded.
func (s *Service) Confirm(ctx context.Context, intentID string) (string, error) {
	in, ok, err := s.intents.Load(ctx, intentID)
	if err != nil || !ok {
		return "", errors.Join(errors.New("checkout: unknown intent"), err)
	}
	sess, err := s.load(ctx, in.SessionID)
	if err != nil {
		return "", err
	}
	orderID, err := s.Gateway.Place(ctx, sess, in.ProviderRef)
	if err != nil {
		return "", err
	}
	if err := s.sessions.Remove(ctx, sess.ID); err != nil { // DEBATABLE kvsession
		return orderID, err
	}
	return orderID, s.KV.Delete(ctx, lockKey(sess.CartRef))
}

func (s *Service) Routes(mux *http.ServeMux, userOf func(*http.Request) string) {
	mux.Handle("POST /checkout", platform.Endpoint(func(r *http.Request, in struct {
		CartRef string `json:"cart_ref"`
	}) (Session, error) {
		return s.Start(r.Context(), in.CartRef, userOf(r))
	}))
	mux.Handle("PUT /checkout/{id}/shipping", platform.Endpoint(func(r *http.Request, a Address) (Session, error) {
		return s.SetShipping(r.Context(), r.PathValue("id"), a)
	}))
	mux.Handle("POST /checkout/{id}/intent", platform.Endpoint(func(r *http.Request, _ platform.Empty) (Intent, error) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			return Intent{}, errors.New("checkout: Idempotency-Key header required")
		}
		return s.CreateIntent(r.Context(), r.PathValue("id"), key)
	}))
	mux.Handle("POST /webhooks/psp/{intent}", platform.Endpoint(func(r *http.Request, _ platform.Empty) (string, error) {
		return s.Confirm(r.Context(), r.PathValue("intent"))
	}))
}
