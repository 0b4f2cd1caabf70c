package invoices

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/otter/internal/events"
	"example.com/otter/internal/keys"
	"example.com/otter/internal/kvport"
	"example.com/otter/internal/repo"
)

// Service is the invoice service.
type Service struct {
	docs             *repo.Repo[Invoice]
	numbers, renders kvport.Store
	bus              *events.Bus
	now              func() time.Time
	terms, cache     time.Duration
	log              *slog.Logger
}

// Option configures the Service.
type Option func(*Service)

// WithRenderCache sets how long rendered invoices are cached.
func WithRenderCache(d time.Duration) Option { return func(s *Service) { s.cache = d } }

// NewService wires the invoice service.
func NewService(docs, numbers, renders kvport.Store, bus *events.Bus, log *slog.Logger, opts ...Option) *Service {
	s := &Service{docs: repo.New[Invoice](docs, ""), numbers: numbers, renders: renders, bus: bus,
		now: time.Now, terms: 30 * 24 * time.Hour, cache: 10 * time.Minute, log: log}
	for _, o := range opts {
		o(s)
	}
	return s
}

type CreateInput struct {
	Tenant     string     `json:"tenant"`
	CustomerID string     `json:"customer_id"`
	Currency   string     `json:"currency"`
	Sequence   int64      `json:"sequence"`
	Lines      []LineItem `json:"lines"`
	Memo       string     `json:"memo"`
}

// View is an invoice together with its version, as returned by the API.
type View struct {
	Invoice
	Version int64 `json:"version"`
}

type numberMeta struct {
	InvoiceID string `json:"invoice_id"`
	Currency  string `json:"currency"`
	Terms     string `json:"terms"`
}

// Create drafts a new invoice.
func (s *Service) Create(ctx context.Context, in CreateInput) (View, error) {
	if in.Tenant == "" || in.CustomerID == "" || in.Currency == "" {
		return View{}, errors.New("tenant, customer_id and currency are required")
	}
	var b [10]byte
	_, _ = rand.Read(b[:])
	inv := Invoice{ID: "in_" + hex.EncodeToString(b[:]), Tenant: in.Tenant, CustomerID: in.CustomerID,
		Currency: in.Currency, Status: StatusDraft, Lines: in.Lines, Memo: in.Memo,
		Number: string(keys.AppendInvoiceNumber(nil, in.Tenant, s.now().Year(), in.Sequence))}
	if err := s.docs.Save(ctx, keys.Invoice(inv.Tenant, inv.ID), inv, 0); err != nil {
		return View{}, err
	}
	err := s.numbers.Put(ctx, inv.Number, []byte(inv.ID), &kvport.PutOpts{
		Metadata: numberMeta{InvoiceID: inv.ID, Currency: inv.Currency, Terms: standardTerms}, // EXPECT kvlimits
	})
	if err != nil {
		return View{}, fmt.Errorf("index number: %w", err)
	}
	return View{Invoice: inv, Version: 1}, nil
}

func (s *Service) Get(ctx context.Context, tenant, id string) (View, error) {
	doc, err := s.docs.Load(ctx, keys.Invoice(tenant, id))
	return View{Invoice: doc.Data, Version: doc.Version}, err
}

// Finalize issues a draft invoice; version is the one the caller read.
func (s *Service) Finalize(ctx context.Context, tenant, id string, version int64) (View, error) {
	now := s.now()
	doc, err := s.docs.Update(ctx, keys.Invoice(tenant, id), version, func(inv *Invoice) error {
		return inv.finalize(now, s.terms)
	})
	if err != nil {
		return View{}, err
	}
	inv := doc.Data
	if err := s.bus.Publish(ctx, events.InvoiceFinalized{Tenant: tenant, InvoiceID: inv.ID, CustomerID: inv.CustomerID,
		Number: inv.Number, AmountMinor: inv.Total(), Currency: inv.Currency, DueAt: inv.DueAt}); err != nil {
		s.log.Warn("finalize side effects", "invoice", id, "err", err)
	}
	return View{Invoice: inv, Version: doc.Version}, nil
}

// MarkPaidByID settles an invoice at its current version.
func (s *Service) MarkPaidByID(ctx context.Context, tenant, id string) error {
	v, err := s.Get(ctx, tenant, id)
	if err != nil || v.Status == StatusPaid {
		return err
	}
	now := s.now()
	if _, err := s.docs.Update(ctx, keys.Invoice(tenant, id), v.Version, func(inv *Invoice) error {
		return inv.markPaid(now)
	}); err != nil {
		return err
	}
	return s.bus.Publish(ctx, events.InvoicePaid{Tenant: tenant, InvoiceID: id, CustomerID: v.CustomerID, PaidAt: now})
}

// Rendered returns the printable form of an invoice, from the cache when possible.
func (s *Service) Rendered(ctx context.Context, tenant, id string) ([]byte, error) {
	key := keys.Invoice(tenant, id)
	if out, err := s.renders.Get(ctx, key); err == nil {
		return out, nil
	} else if !kvport.IsNotFound(err) {
		s.log.Warn("render cache read", "err", err)
	}
	doc, err := s.docs.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	out := render(doc.Data)
	if err := s.renders.Put(ctx, key, out, &kvport.PutOpts{TTL: max(s.cache, time.Minute)}); err != nil {
		s.log.Warn("render cache write", "err", err)
	}
	return out, nil
}
