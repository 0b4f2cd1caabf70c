// Package invoices serves the customer portal's invoice views. The billing
// database is authoritative; KV keeps a rendered projection per invoice so
// that portal page loads do not touch Postgres.
package invoices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"wigeon/internal/billing"
	"wigeon/internal/kvbase"
	"wigeon/internal/kvstore"
	"wigeon/internal/tenant"
)

// View is the portal's rendering of one invoice.
type View struct {
	billing.Invoice
	Payments   []billing.Payment `json:"payments"`
	Balance    int64             `json:"balance"`
	RenderedAt time.Time         `json:"rendered_at"`
}

// Summary is the tenant dashboard's receivables total.
type Summary struct {
	Open        int       `json:"open"`
	Outstanding int64     `json:"outstanding"`
	Currency    string    `json:"currency"`
	LastInvoice string    `json:"last_invoice"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Store keeps invoice views under <tenant>/inv/<invoice>.
type Store struct {
	kvbase.Table[View]
	summaries kvbase.Table[Summary]
	db        *billing.DB
	ttl       time.Duration
}

// NewStore returns a Store whose views live for ttl before being re-rendered.
func NewStore(kv *kvstore.Client, db *billing.DB, ttl time.Duration) *Store {
	return &Store{
		Table:     kvbase.Table[View]{KV: kv, Prefix: "inv"},
		summaries: kvbase.Table[Summary]{KV: kv, Prefix: "dash"},
		db:        db,
		ttl:       ttl,
	}
}

func (s *Store) render(ctx context.Context, id string) (View, error) {
	inv, err := s.db.Invoice(ctx, tenant.From(ctx), id)
	if err != nil {
		return View{}, err
	}
	pays, err := s.db.Payments(ctx, inv.TenantID, id)
	if err != nil {
		return View{}, err
	}
	v := View{Invoice: inv, Payments: pays, RenderedAt: time.Now().UTC()}
	v.Balance = inv.AmountDue - inv.AmountPaid
	return v, nil
}

// Get returns the cached view, rendering and caching it on a miss.
func (s *Store) Get(ctx context.Context, id string) (View, error) {
	v, err := s.Table.Get(ctx, id)
	if err == nil {
		return v, nil
	}
	var nf *kvstore.NotFoundError
	if !errors.As(err, &nf) {
		return View{}, err
	}
	v, err = s.render(ctx, id)
	if err != nil {
		return View{}, err
	}
	if err := s.PutFor(ctx, v, s.ttl, id); err != nil {
		slog.WarnContext(ctx, "invoice view not cached", "invoice", id, "err", err)
	}
	return v, nil
}

// Refresh re-renders the view from the billing database and replaces the
// cached copy. The billing webhook calls it after every invoice event.
func (s *Store) Refresh(ctx context.Context, id string) (View, error) {
	v, err := s.render(ctx, id)
	if err != nil {
		return View{}, err
	}
	return v, s.PutFor(ctx, v, s.ttl, id)
}

// AddPayment shows a just-settled card payment on the portal before the
// ledger export has caught up.
func (s *Store) AddPayment(ctx context.Context, id string, p billing.Payment) (View, error) {
	v, err := s.Table.Get(ctx, id)
	if err != nil {
		return View{}, err
	}
	v.Payments = append(v.Payments, p)
	v.AmountPaid += p.Amount
	v.Balance = v.AmountDue - v.AmountPaid
	return v, s.Put(ctx, v, id) // EXPECT kvrace
}

// AppendNote adds a line to the invoice's internal notes.
func (s *Store) AppendNote(ctx context.Context, id, author, note string) error {
	key := s.Key(ctx, id, "notes")
	old, err := s.KV.Get(ctx, key)
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	line := fmt.Sprintf("%s %s: %s", time.Now().UTC().Format(time.RFC3339), author, strings.TrimSpace(note))
	if len(old) > 0 {
		line = string(old) + "\n" + line
	}
	return s.KV.Put(ctx, key, []byte(line)) // EXPECT kvrace
}

// MarkViewed counts a portal view of the invoice; the count is shown to the
// merchant as "viewed N times".
func (s *Store) MarkViewed(ctx context.Context, id string) error {
	key := s.Key(ctx, id, "views")
	n := 0
	raw, err := s.KV.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case kvstore.IsNotFound(err):
	default:
		return err
	}
	return s.KV.Put(ctx, key, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter|kvrace
}

// Warm renders the views of the given invoices and writes them in bulk. It
// runs after a tenant import.
func (s *Store) Warm(ctx context.Context, ids []string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(ids))
	var errs []error
	for _, id := range ids {
		v, err := s.render(ctx, id)
		if err != nil {
			errs = append(errs, fmt.Errorf("render %s: %w", id, err))
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           s.Key(ctx, id),
			Value:         string(raw),
			ExpirationTTL: int(s.ttl), // EXPECT kvttl
		})
	}
	return errors.Join(append(errs, s.KV.PutPairs(ctx, pairs))...)
}

// RebuildSummary recomputes the tenant's receivables summary from the
// billing database.
func (s *Store) RebuildSummary(ctx context.Context, asOf time.Time) (Summary, error) {
	open, err := s.db.Overdue(ctx, tenant.From(ctx), asOf.AddDate(10, 0, 0))
	if err != nil {
		return Summary{}, err
	}
	var sum Summary
	for _, inv := range open {
		sum.Open++
		sum.Outstanding += inv.AmountDue - inv.AmountPaid
		sum.Currency = inv.Currency
		sum.LastInvoice = inv.Number
		sum.UpdatedAt = time.Now().UTC()
		if err := s.summaries.Put(ctx, sum, "receivables"); err != nil { // EXPECT kvhotkey
			return sum, err
		}
	}
	return sum, nil
}

// CachedIDs returns the IDs of every cached view of the tenant, for the
// "re-render all" button.
func (s *Store) CachedIDs(ctx context.Context) ([]string, error) {
	prefix := s.ListPrefix(ctx)
	page, err := s.KV.List(ctx, prefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		rest := strings.TrimPrefix(k.Name, prefix)
		if !strings.Contains(rest, "/") {
			ids = append(ids, rest)
		}
	}
	return ids, nil
}

// Archive lists up to a few thousand cached views for the archive export.
func (s *Store) Archive(ctx context.Context, cursor string) ([]string, string, error) {
	page, err := s.KV.List(ctx, s.ListPrefix(ctx), cursor, 5000) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(page.Keys))
	for i, k := range page.Keys {
		names[i] = k.Name
	}
	return names, page.Cursor, nil
}

// Invalidate drops the cached view; the next Get re-renders it.
func (s *Store) Invalidate(ctx context.Context, id string) error {
	return s.Delete(ctx, id)
}
