// Package dunning sends payment reminders for overdue invoices. Due
// reminders are kept as KV keys "due:{yyyymmdd}:{tenant}:{invoice}" whose
// metadata carries the reminder step, so that a scan needs no value reads.
package dunning

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/ledgerline/turnstone/internal/config"
	"github.com/ledgerline/turnstone/internal/kvstore"
)

// Sender delivers one reminder e-mail.
type Sender interface {
	SendReminder(ctx context.Context, tenantID, invoiceID string, step int) error
}

// Schedule is the per-invoice reminder plan; merchants may customise it.
type Schedule struct {
	InvoiceID string    `json:"invoice_id"`
	Offsets   []string  `json:"offsets"` // durations after the due date
	Paused    bool      `json:"paused"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

type dueEntry struct {
	Key       string `json:"-"`
	TenantID  string `json:"tenant_id"`
	InvoiceID string `json:"invoice_id"`
	Step      int    `json:"step"`
}

type tenantResult struct {
	TenantID string `json:"tenant_id"`
	Sent     int    `json:"sent"`
	Skipped  int    `json:"skipped"`
	Err      string `json:"err,omitempty"`
}

// Scheduler scans due reminders on a timer and sends them.
type Scheduler struct {
	api  *cf.API
	rc   *cf.ResourceContainer
	nsID string
	ns   *kvstore.Namespace
	db   *sql.DB
	send Sender
	cfg  *config.Config
	log  *slog.Logger
	host string
}

// New returns a scheduler over the dunning keys of ns.
func New(ns *kvstore.Namespace, db *sql.DB, send Sender, cfg *config.Config, log *slog.Logger) *Scheduler {
	api, rc := ns.API()
	host, _ := os.Hostname()
	return &Scheduler{api: api, rc: rc, nsID: ns.ID(), ns: ns, db: db, send: send, cfg: cfg, log: log.With("component", "dunning"), host: host}
}

// Run scans once per configured interval until ctx is done.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Intervals.DunningScan.Duration)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := s.scan(ctx, now.UTC()); err != nil {
				s.log.Error("dunning scan", "err", err)
			}
		}
	}
}

func (s *Scheduler) scan(ctx context.Context, now time.Time) error {
	prefix := "due:" + now.Format("20060102") + ":"
	deadline := now.Add(s.cfg.Intervals.DunningScan.Duration / 2)
	byTenant := make(map[string][]dueEntry)
	cursor := ""
	for page := 0; page < s.cfg.Limits.MaxListPages; page++ {
		resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cf.ListWorkersKVsParams{NamespaceID: s.nsID, Prefix: prefix, Cursor: cursor, Limit: s.cfg.Limits.ListPageSize})
		if err != nil {
			return fmt.Errorf("list due: %w", err)
		}
		for _, k := range resp.Result {
			if e, ok := entryFromKey(k); ok {
				byTenant[e.TenantID] = append(byTenant[e.TenantID], e)
			}
		}
		if resp.Cursor == "" || time.Now().After(deadline) {
			break
		}
		cursor = resp.Cursor
	}

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results []tenantResult
		sem     = make(chan struct{}, max(1, s.cfg.Limits.FanOut))
	)
	for tenantID, entries := range byTenant {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res := s.runTenant(ctx, tenantID, entries)
			mu.Lock()
			results = append(results, res)
			mu.Unlock()
			progress := map[string]any{"tenant": tenantID, "sent": res.Sent, "at": time.Now().UTC()}
			if err := s.ns.Put(ctx, "dunning:progress", progress, 0); err != nil { // EXPECT kvhotkey
				s.log.Debug("record progress", "err", err)
			}
		}()
	}
	wg.Wait()
	return s.ns.Put(ctx, "dunning:last-run", map[string]any{"at": now, "host": s.host, "tenants": results}, 0)
}

func entryFromKey(k cf.StorageKey) (dueEntry, bool) {
	meta, _ := k.Metadata.(map[string]any)
	tenantID, _ := meta["tenant"].(string)
	invoiceID, _ := meta["invoice"].(string)
	step, _ := meta["step"].(float64)
	return dueEntry{Key: k.Name, TenantID: tenantID, InvoiceID: invoiceID, Step: int(step)}, tenantID != "" && invoiceID != ""
}

func (s *Scheduler) runTenant(ctx context.Context, tenantID string, entries []dueEntry) tenantResult {
	res := tenantResult{TenantID: tenantID}
	lock := "lock:dunning:" + tenantID
	if _, err := s.ns.Get(ctx, lock); err == nil {
		res.Skipped = len(entries)
		return res
	} else if !kvstore.IsNotFound(err) {
		res.Err = err.Error()
		return res
	}
	if _, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cf.WriteWorkersKVEntriesParams{ // EXPECT kvrace
		NamespaceID: s.nsID,
		KVs: []*cf.WorkersKVPair{{
			Key:        lock,
			Value:      s.host,
			Expiration: int(time.Now().Unix() + 30), // EXPECT kvttl
		}},
	}); err != nil {
		res.Err = err.Error()
		return res
	}
	defer func() {
		if err := s.ns.Delete(context.WithoutCancel(ctx), lock); err != nil {
			s.log.Warn("release lock", "tenant", tenantID, "err", err)
		}
	}()

	for _, e := range entries {
		sched, err := s.scheduleFor(ctx, e.InvoiceID)
		if err != nil || sched.Paused {
			res.Skipped++
			continue
		}
		attemptsKey := "attempts:" + e.InvoiceID
		n := 0
		raw, err := s.ns.Get(ctx, attemptsKey)
		switch {
		case err == nil:
			n, _ = strconv.Atoi(string(raw))
		case !kvstore.IsNotFound(err):
			res.Skipped++
			continue
		}
		if n >= s.cfg.Dunning.MaxAttempts {
			res.Skipped++
			continue
		}
		if err := s.send.SendReminder(ctx, tenantID, e.InvoiceID, e.Step); err != nil {
			s.log.Warn("send reminder", "invoice", e.InvoiceID, "err", err)
			continue
		}
		if err := s.ns.Put(ctx, attemptsKey, n+1, 0); err != nil { // EXPECT kvcounter
			s.log.Warn("record attempt", "invoice", e.InvoiceID, "err", err)
		}
		if err := s.reschedule(ctx, e); err != nil {
			s.log.Warn("reschedule", "invoice", e.InvoiceID, "err", err)
		}
		res.Sent++
	}
	return res
}

// reschedule moves a due entry to the date of its next step.
func (s *Scheduler) reschedule(ctx context.Context, e dueEntry) error {
	if next := e.Step + 1; next < len(s.cfg.Dunning.Backoff) {
		when := time.Now().UTC().Add(s.cfg.Dunning.Backoff[next].Duration)
		key := "due:" + when.Format("20060102") + ":" + e.TenantID + ":" + e.InvoiceID
		meta := map[string]any{"tenant": e.TenantID, "invoice": e.InvoiceID, "step": next}
		if err := s.ns.PutAt(ctx, key, "", when.Add(48*time.Hour), meta); err != nil {
			return err
		}
	}
	return s.ns.Delete(ctx, e.Key)
}

// scheduleFor returns the reminder plan of an invoice, creating the default
// plan on first use.
func (s *Scheduler) scheduleFor(ctx context.Context, invoiceID string) (Schedule, error) {
	key := "schedule:" + invoiceID
	raw, err := s.ns.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		sched := Schedule{InvoiceID: invoiceID, UpdatedAt: time.Now().UTC(), UpdatedBy: "system"}
		for _, d := range s.cfg.Dunning.Backoff {
			sched.Offsets = append(sched.Offsets, d.String())
		}
		return sched, s.ns.Put(ctx, key, sched, 0)
	}
	var sched Schedule
	if err := json.Unmarshal(raw, &sched); err != nil {
		return Schedule{}, fmt.Errorf("schedule %s: %w", invoiceID, err)
	}
	return sched, nil
}

// HasDue reports whether any reminders are queued; used by the readiness
// probe to tell an idle scheduler from a stuck one.
func (s *Scheduler) HasDue(ctx context.Context) (bool, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cf.ListWorkersKVsParams{ // DEBATABLE kvlist
		NamespaceID: s.nsID,
		Prefix:      "due:",
		Limit:       5, // EXPECT kvlimits
	})
	return len(resp.Result) > 0, err
}

// Backfill copies every due entry into the dunning_queue table. It is run by
// hand from the admin CLI after restoring the database from a backup.
// Entries written before reminder metadata existed carry it in the value.
func (s *Scheduler) Backfill(ctx context.Context) (int, error) {
	n, cursor := 0, ""
	for {
		resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cf.ListWorkersKVsParams{NamespaceID: s.nsID, Prefix: "due:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range resp.Result {
			e, ok := entryFromKey(k)
			if !ok {
				raw, err := s.api.GetWorkersKV(ctx, s.rc, cf.GetWorkersKVParams{NamespaceID: s.nsID, Key: k.Name}) // EXPECT kvlist
				if err != nil {
					return n, err
				}
				if err := json.Unmarshal(raw, &e); err != nil {
					s.log.Warn("skip unreadable due entry", "key", k.Name, "err", err)
					continue
				}
			}
			if _, err := s.db.ExecContext(ctx, `
				INSERT INTO dunning_queue (tenant_id, invoice_id, step, kv_key) VALUES ($1, $2, $3, $4)
				ON CONFLICT (invoice_id) DO NOTHING`, e.TenantID, e.InvoiceID, e.Step, k.Name); err != nil {
				return n, err
			}
			n++
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	return n, nil
}
