// Package invoice manages invoice drafts that operators and automated
// jobs edit in several steps before finalisation.
package invoice

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

// ErrFinalized is returned when editing a draft that was already finalised.
var ErrFinalized = errors.New("invoice: draft is finalized")

// Line is one invoice line.
type Line struct {
	Description string `json:"description"`
	Metric      string `json:"metric,omitempty"`
	Quantity    int64  `json:"quantity"`
	UnitCents   int64  `json:"unit_cents"`
}

// Draft is an invoice being prepared.
type Draft struct {
	ID            string    `json:"id"`
	CustomerID    string    `json:"customer_id"`
	Currency      string    `json:"currency"`
	Lines         []Line    `json:"lines"`
	CouponCode    string    `json:"coupon_code,omitempty"`
	DiscountCents int64     `json:"discount_cents"`
	DueAt         time.Time `json:"due_at"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Subtotal sums the lines.
func (d Draft) Subtotal() int64 {
	var s int64
	for _, l := range d.Lines {
		s += l.Quantity * l.UnitCents
	}
	return s
}

// Final is an issued invoice.
type Final struct {
	Number     string    `json:"number"`
	DraftID    string    `json:"draft_id"`
	CustomerID string    `json:"customer_id"`
	Currency   string    `json:"currency"`
	TotalCents int64     `json:"total_cents"`
	Lines      []Line    `json:"lines"`
	IssuedAt   time.Time `json:"issued_at"`
	DueAt      time.Time `json:"due_at"`
}

// CouponQuoter prices a coupon against a subtotal.
type CouponQuoter interface {
	Quote(ctx context.Context, code string, subtotalCents int64) (int64, error)
}

// PayLinker creates hosted payment pages.
type PayLinker interface {
	Create(ctx context.Context, f Final) (string, error)
}

// Service edits drafts and issues invoices.
type Service struct {
	drafts   *kvstore.Store[Draft]
	finals   *kvstore.Store[Final]
	links    kvstore.KV
	clock    clock.Clock
	coupons  CouponQuoter
	payLinks PayLinker
	newID    func() string
}

// Option configures the service.
type Option func(*Service)

// WithIDs overrides the ID generator.
func WithIDs(fn func() string) Option { return func(s *Service) { s.newID = fn } }

// NewService wires the service.
func NewService(drafts *kvstore.Store[Draft], finals *kvstore.Store[Final], links kvstore.KV, clk clock.Clock, coupons CouponQuoter, pay PayLinker, opts ...Option) *Service {
	s := &Service{drafts: drafts, finals: finals, links: links, clock: clk, coupons: coupons, payLinks: pay, newID: randomID}
	for _, o := range opts {
		o(s)
	}
	return s
}

func randomID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Create starts a new draft.
func (s *Service) Create(ctx context.Context, customerID, currency string, dueAt time.Time) (Draft, error) {
	now := s.clock.Now().UTC()
	d := Draft{ID: s.newID(), CustomerID: customerID, Currency: currency, DueAt: dueAt, CreatedAt: now, UpdatedAt: now}
	return d, s.drafts.Put(ctx, d.ID, d)
}

// AddLine appends a line to a draft.
func (s *Service) AddLine(ctx context.Context, id string, l Line) (Draft, error) {
	return s.drafts.Update(ctx, id, func(d *Draft) error {
		if d.ID == "" {
			return kvstore.ErrNotFound
		}
		d.Lines = append(d.Lines, l)
		d.UpdatedAt = s.clock.Now().UTC()
		return nil
	})
}

// RemoveLine drops the line at index i.
func (s *Service) RemoveLine(ctx context.Context, id string, i int) (Draft, error) {
	return s.drafts.Update(ctx, id, func(d *Draft) error {
		if i < 0 || i >= len(d.Lines) {
			return fmt.Errorf("invoice: no line %d", i)
		}
		d.Lines = append(d.Lines[:i], d.Lines[i+1:]...)
		d.UpdatedAt = s.clock.Now().UTC()
		return nil
	})
}

// ApplyCoupon prices code against the draft and records the discount.
func (s *Service) ApplyCoupon(ctx context.Context, id, code string) (Draft, error) {
	d, err := s.drafts.Get(ctx, id)
	if err != nil {
		return Draft{}, err
	}
	discount, err := s.coupons.Quote(ctx, code, d.Subtotal())
	if err != nil {
		return Draft{}, err
	}
	d.CouponCode = code
	d.DiscountCents = discount
	d.UpdatedAt = s.clock.Now().UTC()
	if err := s.drafts.Put(ctx, id, d); err != nil { // EXPECT kvrace
		return Draft{}, err
	}
	return d, nil
}

// Preview returns the draft as it stands.
func (s *Service) Preview(ctx context.Context, id string) (Draft, error) {
	return s.drafts.Get(ctx, id)
}

// SharePreview stores a read-only preview token for the customer's
// accountant. The token lives until the invoice is due, at least an hour.
func (s *Service) SharePreview(ctx context.Context, id string) (string, error) {
	d, err := s.drafts.Get(ctx, id)
	if err != nil {
		return "", err
	}
	token := randomID()
	ttl := max(d.DueAt.Sub(s.clock.Now()), time.Hour)
	return token, s.links.Put(ctx, "invoice:share:"+token, []byte(d.ID), kvstore.WithTTL(ttl))
}

// Finalize issues the invoice, stores its pay link and removes the draft.
func (s *Service) Finalize(ctx context.Context, id string) (Final, error) {
	d, err := s.drafts.Get(ctx, id)
	if err != nil {
		return Final{}, err
	}
	now := s.clock.Now().UTC()
	f := Final{
		Number:     now.Format("20060102") + "-" + d.ID[:6],
		DraftID:    d.ID,
		CustomerID: d.CustomerID,
		Currency:   d.Currency,
		TotalCents: max(d.Subtotal()-d.DiscountCents, 0),
		Lines:      d.Lines,
		IssuedAt:   now,
		DueAt:      d.DueAt,
	}
	if err := s.finals.Put(ctx, f.Number, f); err != nil {
		return Final{}, err
	}
	link, err := s.payLinks.Create(ctx, f)
	if err != nil {
		return f, err
	}
	if err := s.links.Put(ctx, "invoice:paylink:"+f.Number, []byte(link), kvstore.WithTTL(time.Until(d.DueAt))); err != nil { // EXPECT kvttl
		return f, err
	}
	return f, s.drafts.Delete(ctx, id)
}

// PayLink returns the hosted payment page for an issued invoice.
func (s *Service) PayLink(ctx context.Context, number string) (string, error) {
	raw, err := s.links.Get(ctx, "invoice:paylink:"+number)
	return string(raw), err
}
