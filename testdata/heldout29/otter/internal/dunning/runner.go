// Package dunning sends payment reminders for overdue invoices.
package dunning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"example.com/otter/internal/events"
	"example.com/otter/internal/keys"
	"example.com/otter/internal/kvport"
	"example.com/otter/internal/kvstore/kvactor"
	"example.com/otter/internal/repo"
)

// Stage is one reminder of a dunning policy, sent After the due date.
type Stage struct {
	After    time.Duration `json:"after"`
	Template string        `json:"template"`
}

// Policy is a tenant's dunning configuration.
type Policy struct {
	Stages      []Stage `json:"stages"`
	MaxAttempts int     `json:"max_attempts"`
}

var defaultStages = []Stage{{24 * time.Hour, "gentle"}, {7 * 24 * time.Hour, "firm"}, {21 * 24 * time.Hour, "final"}}

func (p Policy) stageFor(overdue time.Duration) int {
	for i := len(p.Stages) - 1; i >= 0; i-- {
		if overdue >= p.Stages[i].After {
			return i
		}
	}
	return -1
}

func (p Policy) reminderTTL(i int) time.Duration { return p.Stages[i].After + 7*24*time.Hour }

type OpenInvoice struct {
	Tenant, ID, CustomerID, Number string
	AmountMinor                    int64
	Currency                       string
	DueAt                          time.Time
}

type Hold struct {
	Reason string    `json:"reason"`
	Until  time.Time `json:"until"`
}

type Sender func(ctx context.Context, inv OpenInvoice, stage Stage) error

type Entry struct {
	Stage int       `json:"stage"`
	At    time.Time `json:"at"`
}

type Config struct{ PageSize, MaxPages int }

// Runner is the dunning job.
type Runner struct {
	state *kvactor.Actor
	open  kvport.Store
	holds *repo.Repo[Hold]
	send  Sender
	cfg   Config
	now   func() time.Time
	log   *slog.Logger
}

func NewRunner(state *kvactor.Actor, open, holds kvport.Store, send Sender, cfg Config, log *slog.Logger) *Runner {
	cfg.PageSize, cfg.MaxPages = min(max(cfg.PageSize, 10), 1000), max(cfg.MaxPages, 1)
	return &Runner{state: state, open: open, holds: repo.New[Hold](holds, "hold:"), send: send, cfg: cfg, now: time.Now, log: log}
}

func openKey(tenant, id string) string { return keys.Clean(tenant) + ":" + keys.Clean(id) }

func (r *Runner) Subscribe(bus *events.Bus) {
	bus.Subscribe("dunning-track", func(ctx context.Context, e events.Event) error {
		switch ev := e.(type) {
		case events.InvoiceFinalized:
			inv := OpenInvoice{Tenant: ev.Tenant, ID: ev.InvoiceID, CustomerID: ev.CustomerID, Number: ev.Number,
				AmountMinor: ev.AmountMinor, Currency: ev.Currency, DueAt: ev.DueAt}
			body, _ := json.Marshal(inv)
			return errors.Join(r.open.Put(ctx, openKey(ev.Tenant, ev.InvoiceID), body, nil), r.schedule(ctx, inv))
		case events.InvoicePaid:
			return r.open.Delete(ctx, openKey(ev.Tenant, ev.InvoiceID))
		}
		return nil
	})
}

func (r *Runner) schedule(ctx context.Context, inv OpenInvoice) error {
	pol := Policy{Stages: defaultStages}
	var tasks []func() error
	for i := range len(pol.Stages) {
		tasks = append(tasks, func() error {
			at := inv.DueAt.Add(pol.Stages[i].After)
			key := keys.Reminder(keys.ReminderRef{Tenant: inv.Tenant, Invoice: inv.ID, Stage: i})
			return r.state.Put(ctx, key, []byte(at.Format(time.RFC3339)), &kvport.PutOpts{TTL: pol.reminderTTL(i)})
		})
	}
	var errs []error
	for _, t := range tasks {
		errs = append(errs, t())
	}
	return errors.Join(errs...)
}

// HoldUntil pauses reminders for an invoice until the date the customer promised to pay.
func (r *Runner) HoldUntil(ctx context.Context, invoiceID string, promised time.Time, reason string) error {
	return r.holds.Save(ctx, invoiceID, Hold{Reason: reason, Until: promised}, time.Until(promised)) // EXPECT kvttl
}

func (r *Runner) policy(ctx context.Context, tenant string) Policy {
	raw, _ := r.state.Get(ctx, "policy:"+keys.Clean(tenant)) // EXPECT kvnull
	var pol Policy
	if err := json.Unmarshal(raw, &pol); err != nil {
		r.log.Debug("policy decode", "tenant", tenant, "err", err)
	}
	return pol
}

// Run processes every open invoice once. It is called by the scheduler.
func (r *Runner) Run(ctx context.Context) error {
	start := r.now()
	cursor, processed := "", 0
	for range r.cfg.MaxPages {
		page, err := r.open.List(ctx, kvport.ListQuery{Cursor: cursor, Limit: r.cfg.PageSize})
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			raw, err := r.open.Get(ctx, k.Name) // EXPECT kvlist
			if kvport.IsNotFound(err) {
				continue
			} else if err != nil {
				return err
			}
			var inv OpenInvoice
			if err := json.Unmarshal(raw, &inv); err != nil {
				r.log.Warn("bad open invoice", "key", k.Name, "err", err)
			} else if err := r.process(ctx, inv); err != nil {
				r.log.Warn("dunning", "invoice", inv.ID, "err", err)
			}
			processed++
			if err := r.state.Put(ctx, "progress", []byte(k.Name), nil); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return r.state.Put(ctx, "last-run", fmt.Appendf(nil, "%d %d", start.Unix(), processed), nil)
}

func (r *Runner) process(ctx context.Context, inv OpenInvoice) error {
	if _, err := r.holds.Load(ctx, inv.ID); !errors.Is(err, repo.ErrNotFound) {
		return err // on hold, or the read failed
	}
	pol := r.policy(ctx, inv.Tenant)
	stage := pol.stageFor(r.now().Sub(inv.DueAt))
	if stage < 0 {
		return nil
	}
	attemptsKey, histKey := "attempts:"+inv.ID, "history:"+inv.ID
	attempts := 0
	if raw, err := r.state.Get(ctx, attemptsKey); err == nil {
		attempts, _ = strconv.Atoi(string(raw))
	} else if !kvport.IsNotFound(err) {
		return err
	}
	var hist []Entry
	if raw, err := r.state.Get(ctx, histKey); err == nil {
		if err := json.Unmarshal(raw, &hist); err != nil {
			return err
		}
	} else if !kvport.IsNotFound(err) {
		return err
	}
	if attempts >= pol.MaxAttempts || slices.ContainsFunc(hist, func(e Entry) bool { return e.Stage == stage }) {
		return nil
	}
	if err := r.send(ctx, inv, pol.Stages[stage]); err != nil {
		return err
	}
	body, _ := json.Marshal(append(hist, Entry{Stage: stage, At: r.now()}))
	keep := &kvport.PutOpts{TTL: 90 * 24 * time.Hour}
	if err := r.state.Put(ctx, histKey, body, keep); err != nil { // EXPECT kvrace
		return err
	}
	return r.state.Put(ctx, attemptsKey, []byte(strconv.Itoa(attempts+1)), keep) // EXPECT kvcounter
}
