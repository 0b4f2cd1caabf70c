// Package paylinks issues payment links that a customer can use once to pay
// an invoice by card.
package paylinks

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"wigeon/internal/kvbase"
	"wigeon/internal/kvstore"
	"wigeon/internal/metrics"
)

var (
	ErrUsed     = errors.New("paylinks: link already used")
	ErrExpired  = errors.New("paylinks: link expired")
	ErrUnknown  = errors.New("paylinks: unknown link")
	ErrSlugUsed = errors.New("paylinks: slug already taken")
)

// Link is a payment link.
type Link struct {
	Token     string     `json:"token"`
	InvoiceID string     `json:"invoice_id"`
	Amount    int64      `json:"amount"`
	Currency  string     `json:"currency"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
}

// Store keeps links under <tenant>/paylink/<token>.
type Store struct {
	kvbase.Table[Link]
	ttl time.Duration
	rec *metrics.Recorder
}

// NewStore returns a Store issuing links valid for ttl.
func NewStore(kv *kvstore.Client, ttl time.Duration, rec *metrics.Recorder) *Store {
	return &Store{Table: kvbase.Table[Link]{KV: kv, Prefix: "paylink"}, ttl: ttl, rec: rec}
}

func (s *Store) observe(op string, start time.Time) {
	s.rec.Observe("paylinks", op, time.Since(start))
}

func newToken() string { return rand.Text() }

// Put shadows Table.Put: a link expires in KV when it expires for the
// customer.
func (s *Store) Put(ctx context.Context, l Link) error {
	raw, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return s.KV.PutUntil(ctx, s.Key(ctx, l.Token), raw, l.ExpiresAt) // DEBATABLE kvttl
}

// Create issues a new link for an invoice.
func (s *Store) Create(ctx context.Context, in struct {
	InvoiceID string
	Amount    int64
	Currency  string
}) (Link, error) {
	defer s.observe("create", time.Now())
	now := time.Now().UTC()
	l := Link{
		Token:     newToken(),
		InvoiceID: in.InvoiceID,
		Amount:    in.Amount,
		Currency:  in.Currency,
		CreatedAt: now,
		ExpiresAt: now.Add(s.ttl),
	}
	return l, s.PutFor(ctx, l, s.ttl, l.Token)
}

// Lookup returns a link for the pay page.
func (s *Store) Lookup(ctx context.Context, token string) (Link, error) {
	defer s.observe("lookup", time.Now())
	l, err := s.Get(ctx, token)
	var nf *kvstore.NotFoundError
	if errors.As(err, &nf) {
		return l, ErrUnknown
	}
	return l, err
}

// Redeem marks the link used once the card payment has been captured.
func (s *Store) Redeem(ctx context.Context, token string) (Link, error) {
	defer s.observe("redeem", time.Now())
	l, err := s.Lookup(ctx, token)
	if err != nil {
		return l, err
	}
	if l.UsedAt != nil {
		return l, ErrUsed
	}
	now := time.Now().UTC()
	if now.After(l.ExpiresAt) {
		return l, ErrExpired
	}
	l.UsedAt = &now
	return l, s.Put(ctx, l) // EXPECT kvsession|kvrace
}

// Void withdraws a link, e.g. when the invoice is credited.
func (s *Store) Void(ctx context.Context, token string) error {
	defer s.observe("void", time.Now())
	return s.Delete(ctx, token) // DEBATABLE kvsession
}

// Extend gives the customer more time on an unused link.
func (s *Store) Extend(ctx context.Context, token string, until time.Time) (Link, error) {
	l, err := s.Lookup(ctx, token)
	if err != nil {
		return l, err
	}
	l.ExpiresAt = until
	ttl := max(time.Until(until), time.Minute)
	return l, s.PutFor(ctx, l, ttl, token)
}

// Preview stores a rendering of a draft link for the invoice editor and
// returns the preview token.
func (s *Store) Preview(ctx context.Context, draft Link) (string, error) {
	tok := newToken()
	raw, err := json.Marshal(draft)
	if err != nil {
		return "", err
	}
	return tok, s.KV.PutTTL(ctx, s.Key(ctx, "preview", tok), raw, 30*time.Second) // EXPECT kvttl
}

// Handoff parks the link for the card processor's redirect; the processor
// reads it within seconds, PutFor keeps it for the minimum KV lifetime.
func (s *Store) Handoff(ctx context.Context, l Link) (string, error) {
	ref := newToken()
	return ref, s.PutFor(ctx, l, 20*time.Second, "handoff", ref)
}

// ClaimSlug reserves a vanity path (/pay/<tenant>/<slug>) for a link.
func (s *Store) ClaimSlug(ctx context.Context, slug, token string) error {
	key := s.Key(ctx, "slug", slug)
	if _, err := s.KV.Get(ctx, key); err == nil {
		return ErrSlugUsed
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	return s.KV.Put(ctx, key, []byte(token)) // EXPECT kvrace
}

// Register adds the payment-link routes to mux.
func (s *Store) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /pay/{token}/redeem", func(w http.ResponseWriter, r *http.Request) {
		l, err := s.Redeem(r.Context(), r.PathValue("token"))
		respond(w, l, err)
	})
	mux.HandleFunc("DELETE /v1/paylinks/{token}", func(w http.ResponseWriter, r *http.Request) {
		respond(w, nil, s.Void(r.Context(), r.PathValue("token")))
	})
	mux.HandleFunc("PUT /v1/paylinks/{token}/slug/{slug}", func(w http.ResponseWriter, r *http.Request) {
		respond(w, nil, s.ClaimSlug(r.Context(), r.PathValue("slug"), r.PathValue("token")))
	})
}

func respond(w http.ResponseWriter, v any, err error) {
	status := http.StatusOK
	switch {
	case errors.Is(err, ErrUnknown):
		status = http.StatusNotFound
	case errors.Is(err, ErrUsed), errors.Is(err, ErrSlugUsed):
		status = http.StatusConflict
	case errors.Is(err, ErrExpired):
		status = http.StatusGone
	case err != nil:
		status = http.StatusInternalServerError
	}
	if err != nil {
		v = map[string]string{"error": err.Error()}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
