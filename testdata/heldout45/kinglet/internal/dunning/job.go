// Package dunning sends payment reminders for overdue invoices.
package dunning

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"kinglet/internal/invoicing"
	"kinglet/internal/kvstore"
	"kinglet/internal/paylinks"
)

const keyPrefix = "dunning:"

// Reminder is the dunning schedule of one invoice.
type Reminder struct {
	Invoice     invoicing.Issued `json:"invoice"`
	Email       string           `json:"email"`
	Stage       int              `json:"stage"`
	Sent        []time.Time      `json:"sent"`
	PausedUntil time.Time        `json:"paused_until,omitempty"`
}

// Due reports whether the next reminder is due at now.
func (r Reminder) Due(now time.Time, every time.Duration) bool {
	if now.Before(r.Invoice.DueAt) || now.Before(r.PausedUntil) {
		return false
	}
	if len(r.Sent) == 0 {
		return true
	}
	return now.Sub(r.Sent[len(r.Sent)-1]) >= every
}

// Mailer sends reminder e-mails.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Job is run by the scheduler every few hours.
type Job struct {
	Store     *kvstore.Store
	Namespace string
	Links     *paylinks.Service
	Mail      Mailer
	Every     time.Duration
	PageSize  int
	MaxPages  int
	Log       *slog.Logger
}

func reminderKey(inv invoicing.Issued) string {
	return fmt.Sprintf("%s%s:%s", keyPrefix, inv.DueAt.Format("20060102"), inv.Number)
}

// Schedule registers an issued invoice for dunning.
func (j Job) Schedule(ctx context.Context, inv invoicing.Issued, email string) error {
	ttl := max(time.Until(inv.DueAt.Add(120*24*time.Hour)), time.Hour)
	return j.Store.PutJSON(ctx, j.Namespace, reminderKey(inv), Reminder{Invoice: inv, Email: email}, ttl)
}

// Pause stops reminders for an invoice until the given time.
func (j Job) Pause(ctx context.Context, inv invoicing.Issued, until time.Time) error {
	key := reminderKey(inv)
	var r Reminder
	if err := j.Store.GetJSON(ctx, j.Namespace, key, &r); err != nil {
		return err
	}
	r.PausedUntil = until
	return j.Store.PutJSON(ctx, j.Namespace, key, r, 0) // EXPECT kvrace
}

// Cancel removes the schedule once the invoice is paid.
func (j Job) Cancel(ctx context.Context, inv invoicing.Issued) error {
	return j.Store.Delete(ctx, j.Namespace, reminderKey(inv))
}

func (j Job) acquire(ctx context.Context, runID string) (bool, error) {
	_, err := j.Store.Get(ctx, j.Namespace, "lock:dunning-run")
	if err == nil {
		return false, nil
	}
	if !kvstore.IsNotFound(err) {
		return false, err
	}
	return true, j.Store.Put(ctx, j.Namespace, "lock:dunning-run", []byte(runID), 10*time.Minute) // EXPECT kvrace
}

// Run sends every reminder that is due at now.
func (j Job) Run(ctx context.Context, now time.Time) error {
	runID := fmt.Sprintf("run-%d", now.Unix())
	ok, err := j.acquire(ctx, runID)
	if err != nil || !ok {
		return err
	}
	defer j.Store.Delete(ctx, j.Namespace, "lock:dunning-run")

	var due []string
	cursor := ""
	for page := 0; page < j.MaxPages; page++ {
		keys, next, err := j.Store.ListPage(ctx, j.Namespace, keyPrefix, cursor, j.PageSize)
		if err != nil {
			return err
		}
		for _, k := range keys {
			// keys sort by due date, so anything past today is not due yet
			day := strings.SplitN(strings.TrimPrefix(k.Name, keyPrefix), ":", 2)[0]
			if day <= now.Format("20060102") {
				due = append(due, k.Name)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}

	values, err := j.Store.BulkGet(ctx, j.Namespace, due)
	if err != nil {
		return err
	}

	type result struct {
		key string
		err error
	}
	results := make(chan result)
	var wg sync.WaitGroup
	for key, raw := range values {
		var r Reminder
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			j.Log.Warn("bad reminder", "key", key, "err", err)
			continue
		}
		if !r.Due(now, j.Every) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- result{key: key, err: j.sendOne(ctx, key, now)}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	sent, failed := 0, 0
	for res := range results {
		if res.err != nil {
			failed++
			j.Log.Error("reminder failed", "key", res.key, "err", res.err)
			continue
		}
		sent++
		progress := fmt.Sprintf(`{"run":%q,"sent":%d,"failed":%d}`, runID, sent, failed)
		if err := j.Store.Put(ctx, j.Namespace, "dunning:progress", []byte(progress), time.Hour); err != nil { // EXPECT kvhotkey
			j.Log.Warn("progress", "err", err)
		}
	}
	summary := map[string]any{"run": runID, "sent": sent, "failed": failed, "at": now.Unix()}
	return j.Store.PutJSON(ctx, j.Namespace, "dunning-meta:last-run", summary, 0)
}

func (j Job) sendOne(ctx context.Context, key string, now time.Time) error {
	var r Reminder
	if err := j.Store.GetJSON(ctx, j.Namespace, key, &r); err != nil {
		return err
	}
	link, err := j.Links.CreateForReminder(ctx, r.Invoice, now)
	if err != nil {
		return err
	}
	subject := fmt.Sprintf("Reminder %d: invoice %s", r.Stage+1, r.Invoice.Number)
	body := fmt.Sprintf("Invoice %s over %.2f %s was due on %s. Pay here: /pay/%s",
		r.Invoice.Number, float64(r.Invoice.TotalCents)/100, r.Invoice.Currency,
		r.Invoice.DueAt.Format("2 Jan 2006"), link.Token)
	if err := j.Mail.Send(ctx, r.Email, subject, body); err != nil {
		return err
	}
	r.Stage++
	r.Sent = append(r.Sent, now)
	return j.Store.PutJSON(ctx, j.Namespace, key, r, 0) // EXPECT kvrace
}

// Backlog returns every scheduled reminder for the operations dashboard.
func (j Job) Backlog(ctx context.Context) ([]Reminder, error) {
	var out []Reminder
	cursor := ""
	for {
		keys, next, err := j.Store.ListPage(ctx, j.Namespace, keyPrefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			var r Reminder
			if err := j.Store.GetJSON(ctx, j.Namespace, k.Name, &r); err != nil { // EXPECT kvlist
				if kvstore.IsNotFound(err) {
					continue
				}
				return nil, err
			}
			out = append(out, r)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}
