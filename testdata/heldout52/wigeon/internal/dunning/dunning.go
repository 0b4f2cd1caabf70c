// Package dunning sends payment reminders for overdue invoices. A run is
// started by the scheduler once a day per tenant; the per-invoice reminder
// state lives in the billing KV namespace so the portal can show "last
// reminded on".
package dunning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"wigeon/internal/billing"
	"wigeon/internal/config"
	"wigeon/internal/kvkeys"
	"wigeon/internal/kvstore"
	"wigeon/internal/tenant"
)

// schedule is the wait before each reminder stage.
var schedule = []time.Duration{0, 3 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour}

// State is the reminder state of one invoice.
type State struct {
	InvoiceID string    `json:"invoice_id"`
	Stage     int       `json:"stage"`
	SentAt    time.Time `json:"sent_at"`
	NextAt    time.Time `json:"next_at"`
}

type progress struct {
	Done  int    `json:"done"`
	Total int    `json:"total"`
	Last  string `json:"last"`
}

// Runner sends reminders.
type Runner struct {
	KV   *kvstore.Client
	DB   *billing.DB
	Mail interface {
		Send(ctx context.Context, to, template string, data any) error
	}
	Cfg config.Config
}

type outcome struct {
	invoice string
	stage   int
	err     error
}

func stateKey(ctx context.Context, invoiceID string) string {
	return kvkeys.Key(tenant.From(ctx), "dunning", "state", invoiceID)
}

// Run sends the due reminders of one tenant.
func (r *Runner) Run(ctx context.Context, tenantID string, now time.Time) error {
	ctx = tenant.With(ctx, tenantID)
	overdue, err := r.DB.Overdue(ctx, tenantID, now)
	if err != nil {
		return err
	}
	results := make(chan outcome, len(overdue))
	sem := make(chan struct{}, max(r.Cfg.Concurrency, 1))
	for _, inv := range overdue {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ictx, cancel := context.WithTimeout(ctx, r.Cfg.ReminderTimeout)
			defer cancel()
			stage, err := r.remind(ictx, inv, now)
			results <- outcome{invoice: inv.ID, stage: stage, err: err}
		}()
	}

	progressKey := kvkeys.Key(tenantID, "dunning", "progress")
	var errs []error
	for i := range overdue {
		res := <-results
		if res.err != nil {
			errs = append(errs, fmt.Errorf("invoice %s: %w", res.invoice, res.err))
			r.noteFailure(ctx, res.invoice)
			continue
		}
		raw, _ := json.Marshal(progress{Done: i + 1, Total: len(overdue), Last: res.invoice})
		if err := r.KV.Put(ctx, progressKey, raw); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Runner) remind(ctx context.Context, inv billing.Invoice, now time.Time) (int, error) {
	key := stateKey(ctx, inv.ID)
	st := State{InvoiceID: inv.ID}
	raw, err := r.KV.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &st); err != nil {
			return 0, err
		}
	case kvstore.IsNotFound(err):
	default:
		return 0, err
	}
	if st.Stage >= len(schedule) || now.Before(st.NextAt) {
		return st.Stage, nil
	}
	if err := r.Mail.Send(ctx, inv.CustomerID, fmt.Sprintf("dunning-%d", st.Stage), inv); err != nil {
		return st.Stage, err
	}
	st.Stage++
	st.SentAt = now
	if st.Stage < len(schedule) {
		st.NextAt = now.Add(schedule[st.Stage])
	}
	out, err := json.Marshal(st)
	if err != nil {
		return st.Stage, err
	}
	ttl := time.Until(inv.DueAt.Add(r.Cfg.ReminderGrace)) // EXPECT kvttl
	return st.Stage, r.KV.PutTTL(ctx, key, out, ttl)      // EXPECT kvrace|kvcounter
}

// noteFailure counts failed deliveries; after three the invoice is handed to
// collections by the ops team.
func (r *Runner) noteFailure(ctx context.Context, invoiceID string) {
	key := kvkeys.Key(tenant.From(ctx), "dunning", "attempts", invoiceID)
	n := 0
	if raw, err := r.KV.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	if err := r.KV.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), 30*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		slog.WarnContext(ctx, "failure not counted", "invoice", invoiceID, "err", err)
	}
}

// Pause stops reminders for an invoice until the given time (promise to
// pay). The state is rewritten from the billing record, not from KV.
func (r *Runner) Pause(ctx context.Context, inv billing.Invoice, until time.Time) error {
	raw, err := json.Marshal(State{InvoiceID: inv.ID, Stage: 0, NextAt: until})
	if err != nil {
		return err
	}
	ttl := max(time.Until(until.Add(r.Cfg.ReminderGrace)), time.Hour)
	return r.KV.PutTTL(ctx, stateKey(ctx, inv.ID), raw, ttl)
}

// Pending returns the IDs of all invoices with reminder state, for the ops
// dashboard.
func (r *Runner) Pending(ctx context.Context) ([]string, error) {
	prefix := kvkeys.Prefix(tenant.From(ctx), "dunning", "state")
	var ids []string
	cursor := ""
	for {
		page, err := r.KV.List(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, prefix))
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return ids, nil
}

// States returns one page of reminder states and the cursor of the next.
func (r *Runner) States(ctx context.Context, cursor string) ([]State, string, error) {
	prefix := kvkeys.Prefix(tenant.From(ctx), "dunning", "state")
	page, err := r.KV.List(ctx, prefix, cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]State, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := r.KV.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			if kvstore.IsNotFound(err) {
				continue
			}
			return nil, "", err
		}
		var st State
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, "", err
		}
		out = append(out, st)
	}
	return out, page.Cursor, nil
}

// Finish records the end of a run once.
func (r *Runner) Finish(ctx context.Context, tenantID string, sent int, at time.Time) error {
	raw, _ := json.Marshal(map[string]any{"sent": sent, "at": at.UTC()})
	return r.KV.PutTTL(ctx, kvkeys.Key(tenantID, "dunning", "last-run"), raw, 48*time.Hour)
}

// Sweep deletes reminder state of invoices that were paid, looking at no
// more than budget keys per call. It returns the cursor to continue from.
func (r *Runner) Sweep(ctx context.Context, paid map[string]bool, cursor string, budget int) (string, error) {
	prefix := kvkeys.Prefix(tenant.From(ctx), "dunning", "state")
	var stale []string
	for page, seen := 0, 0; page < 50 && seen < budget; page++ {
		page, err := r.KV.List(ctx, prefix, cursor, min(1000, budget-seen))
		if err != nil {
			return cursor, err
		}
		seen += len(page.Keys)
		for _, k := range page.Keys {
			if paid[strings.TrimPrefix(k.Name, prefix)] {
				stale = append(stale, k.Name)
			}
		}
		cursor = page.Cursor
		if cursor == "" {
			break
		}
	}
	return cursor, r.KV.DeleteMany(ctx, stale)
}
