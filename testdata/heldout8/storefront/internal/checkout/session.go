// Package checkout runs the checkout flow: a short-lived checkout session
// bound to a cart, shipping quotes, and order placement.
package checkout

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/keys"
	"example.com/storefront/internal/kvstore"
)

// ErrNoSession means the checkout session is unknown or expired.
var ErrNoSession = errors.New("checkout: no session")

// Session is the checkout state between the cart and the payment page.
type Session struct {
	ID        string    `json:"id"`
	CartID    string    `json:"cart_id"`
	Customer  string    `json:"customer"`
	Email     string    `json:"email"`
	Address   string    `json:"address,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Sessions persists checkout sessions. The accessors are captured at
// construction so tests can swap in failing stubs.
type Sessions struct {
	get func(ctx context.Context, key string) ([]byte, error)
	put func(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error
	ttl time.Duration
	now func() time.Time
}

// NewSessions binds the session store to store.
func NewSessions(store kvstore.Store, cfg config.Checkout) *Sessions {
	return &Sessions{get: store.Get, put: store.Put, ttl: cfg.SessionTTL, now: time.Now}
}

func sessionKey(id string) string { return keys.CheckoutPrefix + id }

// Start opens a checkout session for a cart.
func (s *Sessions) Start(ctx context.Context, cartID, customer, email string) (Session, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return Session{}, err
	}
	now := s.now().UTC()
	sess := Session{ID: base64.RawURLEncoding.EncodeToString(b), CartID: cartID, Customer: customer, Email: email, ExpiresAt: now.Add(s.ttl), LastSeen: now}
	raw, err := json.Marshal(sess)
	if err != nil {
		return Session{}, err
	}
	return sess, s.put(ctx, sessionKey(sess.ID), raw, kvstore.WithTTL(s.ttl))
}

// Load returns the session or ErrNoSession.
func (s *Sessions) Load(ctx context.Context, id string) (Session, error) {
	var sess Session
	raw, err := s.get(ctx, sessionKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return sess, ErrNoSession
	} else if err != nil {
		return sess, err
	}
	return sess, json.Unmarshal(raw, &sess)
}

type ctxKey struct{}

// FromContext returns the session attached by Middleware.
func FromContext(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(Session)
	return s, ok
}

// Middleware loads the checkout session from the cookie and keeps it alive
// while the customer is active on the checkout pages.
func (s *Sessions) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("co_sid")
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		sess, err := s.Load(r.Context(), c.Value)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		sess.LastSeen = s.now().UTC()
		sess.ExpiresAt = sess.LastSeen.Add(s.ttl)
		if raw, err := json.Marshal(sess); err == nil {
			_ = s.put(r.Context(), sessionKey(sess.ID), raw, kvstore.WithTTL(s.ttl)) // EXPECT kvsession
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}
