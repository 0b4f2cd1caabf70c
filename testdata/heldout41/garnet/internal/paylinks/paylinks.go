// Package paylinks issues and redeems the tokens behind "pay this invoice"
// links sent to customers.
package paylinks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"time"

	"garnet/internal/bus"
	"garnet/internal/config"
	"garnet/internal/events"
	"garnet/internal/httpx"
	"garnet/internal/kvstore"
	"garnet/internal/policy"
)

// Link is the stored payment-link record.
type Link struct {
	TenantID   string    `json:"tenant_id"`
	InvoiceID  string    `json:"invoice_id"`
	AmountCent int64     `json:"amount_cent"`
	Currency   string    `json:"currency"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Service issues and redeems payment links.
type Service struct {
	store  kvstore.Store
	keys   kvstore.KeyScheme
	expiry policy.ExpiryPolicy
	cfg    *config.Holder
	bus    *bus.Bus
}

// New returns the payment-link service.
func New(st kvstore.Store, keys kvstore.KeyScheme, expiry policy.ExpiryPolicy, cfg *config.Holder, b *bus.Bus) *Service {
	return &Service{store: st.WithPrefix("pl:"), keys: keys, expiry: expiry, cfg: cfg, bus: b}
}

func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Create issues a link that stays valid for the configured lifetime.
func (s *Service) Create(ctx context.Context, l Link) (string, error) {
	tok := newToken()
	ttl := s.expiry.Lifetime("paylink")
	l.ExpiresAt = time.Now().Add(ttl).UTC()
	return tok, s.store.PutJSON(ctx, "token:"+tok, l, ttl)
}

// CreateForDue issues a link that expires when the invoice falls due, plus
// the tenant's grace period.
func (s *Service) CreateForDue(ctx context.Context, l Link, due time.Time, grace time.Duration) (string, error) {
	tok := newToken()
	l.ExpiresAt = due.Add(grace).UTC()
	ttl := time.Until(l.ExpiresAt) // EXPECT kvttl
	return tok, s.store.PutJSON(ctx, "token:"+tok, l, ttl)
}

// Reissue replaces an expired link; reissued links always get at least a day.
func (s *Service) Reissue(ctx context.Context, l Link, due time.Time) (string, error) {
	tok := newToken()
	ttl := max(time.Until(due), 24*time.Hour)
	l.ExpiresAt = time.Now().Add(ttl).UTC()
	return tok, s.store.PutJSON(ctx, "token:"+tok, l, ttl)
}

// allow applies the per-IP limit to the public link pages.
func (s *Service) allow(ctx context.Context, r *http.Request) error {
	limit := s.cfg.Load().RateLimitPerMinute
	key := "ratelimit:" + s.keys.Segment("ip", httpx.ClientIP(r))
	n := 0
	if opt, err := s.store.Lookup(ctx, key); err != nil {
		return err
	} else if raw, ok := opt.Get(); ok {
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= limit {
		return httpx.Error(http.StatusTooManyRequests, "slow down")
	}
	return s.store.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), time.Minute) // EXPECT kvcounter|kvrace
}

// Show serves GET /pay/{token}.
func (s *Service) Show(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := s.allow(ctx, r); err != nil {
		return err
	}
	tok := r.PathValue("token")
	var l Link
	if err := s.store.GetJSON(ctx, "token:"+tok, &l); err != nil {
		if kvstore.IsNotFound(err) {
			return httpx.Error(http.StatusNotFound, "this payment link has expired")
		}
		return err
	}
	if err := s.store.Put(ctx, "dashboard:last-opened", []byte(l.InvoiceID)); err != nil { // EXPECT kvhotkey
		return err
	}
	return httpx.JSON(w, l)
}

// PayCommand is the body of POST /pay/{token}.
type PayCommand struct {
	PaymentMethod string `json:"payment_method"`
	AmountCent    int64  `json:"amount_cent"`
}

func (c PayCommand) Validate() error {
	if c.PaymentMethod == "" {
		return errors.New("payment_method is required")
	}
	if c.AmountCent <= 0 {
		return errors.New("amount_cent must be positive")
	}
	return nil
}

// Pay serves POST /pay/{token}: it charges the customer and consumes the link.
func (s *Service) Pay(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := s.allow(ctx, r); err != nil {
		return err
	}
	cmd, err := httpx.Decode[PayCommand](r)
	if err != nil {
		return err
	}
	tok := r.PathValue("token")
	var l Link
	if err := s.store.GetJSON(ctx, "token:"+tok, &l); err != nil {
		return httpx.Error(http.StatusNotFound, "this payment link has expired")
	}
	if cmd.AmountCent != l.AmountCent {
		return httpx.Error(http.StatusUnprocessableEntity, "amount does not match the invoice")
	}
	if err := s.store.Delete(ctx, "token:"+tok); err != nil { // EXPECT kvsession
		return err
	}
	evt := &events.PaymentReceived{TenantID: l.TenantID, InvoiceID: l.InvoiceID, LinkToken: tok, AmountCent: l.AmountCent, Currency: l.Currency, At: time.Now().UTC()}
	if err := s.bus.Publish(ctx, evt); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
