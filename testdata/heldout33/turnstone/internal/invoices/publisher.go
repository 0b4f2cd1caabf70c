// Package invoices publishes invoice status to the "invoices" KV namespace,
// from which the edge Worker renders hosted invoice pages and the payment
// status badge. The ledger database stays the source of truth.
package invoices

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/ledgerline/turnstone/internal/config"
	"github.com/ledgerline/turnstone/internal/kvstore"
)

// Status is the edge projection of an invoice.
type Status struct {
	InvoiceID      string    `json:"invoice_id"`
	TenantID       string    `json:"tenant_id"`
	Number         string    `json:"number"`
	State          string    `json:"state"` // draft, open, paid, void, uncollectible
	AmountDueMinor int64     `json:"amount_due_minor"`
	Currency       string    `json:"currency"`
	DueDate        time.Time `json:"due_date"`
	PaidAt         time.Time `json:"paid_at,omitzero"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Summary is the per-tenant overview shown on the portal home page.
type Summary struct {
	Open             int       `json:"open"`
	Overdue          int       `json:"overdue"`
	OutstandingMinor int64     `json:"outstanding_minor"`
	AsOf             time.Time `json:"as_of"`
}

// Totals are the running payment totals of a tenant.
type Totals struct {
	PaidMinor        int64     `json:"paid_minor"`
	OutstandingMinor int64     `json:"outstanding_minor"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Publisher writes invoice projections to KV.
type Publisher struct {
	ns  *kvstore.Namespace
	wb  *kvstore.WriteBehind
	db  *sql.DB
	ttl time.Duration
	log *slog.Logger
}

// NewPublisher returns a publisher whose status writes are buffered and
// flushed every cfg.Intervals.StatusFlush.
func NewPublisher(ns *kvstore.Namespace, db *sql.DB, cfg *config.Config, log *slog.Logger) *Publisher {
	log = log.With("component", "invoices")
	ttl := cfg.TTL.InvoiceStatus.Duration
	return &Publisher{ns: ns, wb: kvstore.NewWriteBehind(ns, cfg.Intervals.StatusFlush.Duration, ttl, log), db: db, ttl: ttl, log: log}
}

// Run flushes buffered writes until ctx is done.
func (p *Publisher) Run(ctx context.Context) error { return p.wb.Run(ctx) }

func statusKey(tenantID, invoiceID string) string { return "inv:" + tenantID + ":" + invoiceID }

// StatusChanged queues st for the edge.
func (p *Publisher) StatusChanged(st Status) error {
	st.UpdatedAt = time.Now().UTC()
	if err := p.wb.Set(statusKey(st.TenantID, st.InvoiceID), st); err != nil {
		return err
	}
	return p.wb.Set("invoices:last-change", st.UpdatedAt)
}

// Status returns the published status, reloading it from the ledger when
// the edge copy has expired.
func (p *Publisher) Status(ctx context.Context, tenantID, invoiceID string) (Status, error) {
	key := statusKey(tenantID, invoiceID)
	var st Status
	err := kvstore.GetInto(ctx, p.ns, key, &st)
	if err == nil || !kvstore.IsNotFound(err) {
		return st, err
	}
	if st, err = p.load(ctx, tenantID, invoiceID); err != nil {
		return Status{}, err
	}
	return st, p.ns.Put(ctx, key, st, p.ttl)
}

// PublishedStatus returns what the edge currently serves for an invoice, for
// the support console's "compare with ledger" view.
func (p *Publisher) PublishedStatus(ctx context.Context, tenantID, invoiceID string) (Status, error) {
	api, rc := p.ns.API()
	raw, _ := api.GetWorkersKV(ctx, rc, cf.GetWorkersKVParams{NamespaceID: p.ns.ID(), Key: statusKey(tenantID, invoiceID)}) // EXPECT kvnull
	var st Status
	if err := json.Unmarshal(raw, &st); err != nil {
		return Status{}, fmt.Errorf("decode published status: %w", err)
	}
	return st, nil
}

// ReconcileTenant republishes every open invoice of a tenant from the ledger
// and rebuilds the tenant summary. It runs after imports and on demand from
// the support console.
func (p *Publisher) ReconcileTenant(ctx context.Context, tenantID string) (int, error) {
	rows, err := p.db.QueryContext(ctx, `
		SELECT id, number, state, amount_due_minor, currency, due_date
		FROM invoices WHERE tenant_id = $1 AND state = 'open' ORDER BY due_date`, tenantID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	now := time.Now().UTC()
	sum, n := Summary{AsOf: now}, 0
	for rows.Next() {
		st := Status{TenantID: tenantID, UpdatedAt: now}
		if err := rows.Scan(&st.InvoiceID, &st.Number, &st.State, &st.AmountDueMinor, &st.Currency, &st.DueDate); err != nil {
			return n, err
		}
		if err := p.ns.Put(ctx, statusKey(tenantID, st.InvoiceID), st, p.ttl); err != nil {
			return n, err
		}
		n++
		sum.Open++
		sum.OutstandingMinor += st.AmountDueMinor
		if st.DueDate.Before(now) {
			sum.Overdue++
		}
		if err := p.ns.Put(ctx, "summary:"+tenantID, sum, 0); err != nil { // EXPECT kvhotkey
			return n, err
		}
	}
	return n, rows.Err()
}

type paymentEvent struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	TenantID    string `json:"tenant_id"`
	InvoiceID   string `json:"invoice_id"`
	AmountMinor int64  `json:"amount_minor"`
}

// HandlePaymentEvent receives settlement events from the payment processor.
func (p *Publisher) HandlePaymentEvent(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var ev paymentEvent
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch ev.Type {
	case "payment.processing":
		// The edge shows "payment processing" until settlement arrives.
		if err := p.ns.Put(ctx, "pending:"+ev.InvoiceID, "1", 30*time.Second); err != nil { // EXPECT kvttl
			p.log.Warn("mark pending", "invoice", ev.InvoiceID, "err", err)
		}
	case "payment.succeeded":
		st, err := p.markPaid(ctx, ev)
		if err != nil {
			http.Error(w, "ledger update failed", http.StatusInternalServerError)
			return
		}
		if err := p.StatusChanged(st); err != nil {
			p.log.Warn("queue status", "invoice", ev.InvoiceID, "err", err)
		}
		if err := p.ns.AppendJSON(ctx, "history:"+ev.InvoiceID, ev, 50, 0); err != nil {
			p.log.Warn("append history", "invoice", ev.InvoiceID, "err", err)
		}
		go func() {
			ctx := context.WithoutCancel(ctx)
			key := "totals:" + ev.TenantID
			var t Totals
			if err := kvstore.GetInto(ctx, p.ns, key, &t); err != nil && !kvstore.IsNotFound(err) {
				p.log.Warn("read totals", "tenant", ev.TenantID, "err", err)
				return
			}
			t.PaidMinor += ev.AmountMinor
			t.OutstandingMinor -= ev.AmountMinor
			t.UpdatedAt = time.Now().UTC()
			if err := p.ns.Put(ctx, key, t, 0); err != nil { // EXPECT kvrace|kvcounter
				p.log.Warn("write totals", "tenant", ev.TenantID, "err", err)
			}
		}()
		if err := p.publishReceipt(ctx, st); err != nil {
			p.log.Warn("publish receipt", "invoice", ev.InvoiceID, "err", err)
		}
	}
	if err := p.ns.Put(ctx, "psp:last-event-at", time.Now().UTC(), 0); err != nil { // EXPECT kvhotkey
		p.log.Debug("record last event", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// publishReceipt makes the receipt page available at the edge for 30 days.
func (p *Publisher) publishReceipt(ctx context.Context, st Status) error {
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	expires := st.PaidAt.Add(30 * 24 * time.Hour)
	api, rc := p.ns.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cf.WriteWorkersKVEntriesParams{
		NamespaceID: p.ns.ID(),
		KVs: []*cf.WorkersKVPair{{
			Key:        "receipt:" + st.InvoiceID,
			Value:      string(body),
			Expiration: int(expires.UnixMilli()), // EXPECT kvttl
			Metadata:   map[string]string{"tenant": st.TenantID, "number": st.Number},
		}},
	})
	return err
}

// Archive moves a settled invoice to the archive keyspace, where the edge
// keeps it for 90 days after payment.
func (p *Publisher) Archive(ctx context.Context, st Status) error {
	if st.PaidAt.IsZero() {
		return errors.New("archive: invoice is not paid")
	}
	meta := map[string]string{"state": st.State, "number": st.Number}
	if err := p.ns.PutAt(ctx, "archive:"+st.TenantID+":"+st.InvoiceID, st, st.PaidAt.Add(90*24*time.Hour), meta); err != nil { // DEBATABLE kvttl
		return err
	}
	return p.ns.Delete(ctx, statusKey(st.TenantID, st.InvoiceID))
}

func (p *Publisher) markPaid(ctx context.Context, ev paymentEvent) (Status, error) {
	st := Status{InvoiceID: ev.InvoiceID, TenantID: ev.TenantID}
	err := p.db.QueryRowContext(ctx, `
		UPDATE invoices SET state = 'paid', paid_at = now(), amount_due_minor = 0
		WHERE tenant_id = $1 AND id = $2
		RETURNING number, state, amount_due_minor, currency, due_date, paid_at`, ev.TenantID, ev.InvoiceID).
		Scan(&st.Number, &st.State, &st.AmountDueMinor, &st.Currency, &st.DueDate, &st.PaidAt)
	return st, err
}

func (p *Publisher) load(ctx context.Context, tenantID, invoiceID string) (Status, error) {
	st := Status{InvoiceID: invoiceID, TenantID: tenantID, UpdatedAt: time.Now().UTC()}
	var paidAt sql.NullTime
	err := p.db.QueryRowContext(ctx, `
		SELECT number, state, amount_due_minor, currency, due_date, paid_at
		FROM invoices WHERE tenant_id = $1 AND id = $2`, tenantID, invoiceID).
		Scan(&st.Number, &st.State, &st.AmountDueMinor, &st.Currency, &st.DueDate, &paidAt)
	st.PaidAt = paidAt.Time
	return st, err
}
