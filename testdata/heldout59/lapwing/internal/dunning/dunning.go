// Package dunning sends payment reminders for overdue invoices. The jobs
// are run by lapwing-worker on a schedule; each job is a type with Run().
package dunning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/lapwing-billing/lapwing/internal/billing"
	"github.com/lapwing-billing/lapwing/internal/config"
	"github.com/lapwing-billing/lapwing/internal/kvstore"
	"github.com/lapwing-billing/lapwing/internal/notify"
)

const (
	lockKey     = "dunning:lock"
	progressKey = "dunning:progress"
	lastRunKey  = "dunning:last-run"
	settingsKey = "dunning:settings"
	statePrefix = "dunning:state:"
)

// State is what the job remembers about one overdue invoice.
type State struct {
	InvoiceID string      `json:"invoice_id"`
	Stage     int         `json:"stage"`
	Sent      []time.Time `json:"sent"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// Settings are edited by finance from the back office.
type Settings struct {
	MaxReminders int      `json:"max_reminders"`
	QuietHours   [2]int   `json:"quiet_hours"`
	CCFinance    []string `json:"cc_finance"`
}

// ReminderJob sends the next due reminder for every overdue invoice.
type ReminderJob struct {
	NS     *kvstore.Namespace
	Ledger billing.Ledger
	Mail   notify.Mailer
	Cfg    config.Dunning
	Log    *slog.Logger
}

// Run is called by the scheduler.
func (j *ReminderJob) Run() {
	ctx, cancel := context.WithTimeout(context.Background(), j.Cfg.LockTTL)
	defer cancel()
	if err := j.run(ctx); err != nil {
		j.Log.Error("dunning run failed", "err", err)
	}
}

func (j *ReminderJob) acquire(ctx context.Context) (bool, error) {
	if _, err := j.NS.Get(ctx, lockKey); err == nil {
		return false, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return false, err
	}
	host, _ := os.Hostname()
	owner := fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano())
	if err := j.NS.Put(ctx, lockKey, []byte(owner), j.Cfg.LockTTL); err != nil { // EXPECT kvrace
		return false, err
	}
	return true, nil
}

func (j *ReminderJob) settings(ctx context.Context) Settings {
	raw, _ := j.NS.Get(ctx, settingsKey) // EXPECT kvnull
	var s Settings
	_ = json.Unmarshal(raw, &s)
	return s
}

func (j *ReminderJob) run(ctx context.Context) error {
	ok, err := j.acquire(ctx)
	if err != nil || !ok {
		return err
	}
	defer j.NS.Delete(context.WithoutCancel(ctx), lockKey)

	settings := j.settings(ctx)
	invs, err := j.Ledger.OverdueInvoices(ctx, time.Now())
	if err != nil {
		return err
	}
	j.Log.Info("dunning run", "overdue", len(invs), "max_reminders", settings.MaxReminders)
	for i, inv := range invs {
		err := j.NS.Update(ctx, statePrefix+inv.ID, j.Cfg.StateTTL, func(cur []byte) ([]byte, error) {
			st := State{InvoiceID: inv.ID}
			if cur != nil {
				if err := json.Unmarshal(cur, &st); err != nil {
					return nil, err
				}
			}
			if st.Stage >= min(settings.MaxReminders, len(j.Cfg.StageOffsets)) ||
				time.Now().Before(inv.DueAt.Add(j.Cfg.StageOffsets[st.Stage])) {
				return cur, nil
			}
			if err := j.remind(ctx, inv, st.Stage, settings); err != nil {
				return nil, err
			}
			st.Stage++
			st.Sent = append(st.Sent, time.Now().UTC())
			st.UpdatedAt = time.Now().UTC()
			return json.Marshal(st)
		})
		if err != nil {
			j.Log.Warn("reminder failed", "invoice", inv.ID, "err", err)
		}
		progress := fmt.Sprintf(`{"done":%d,"total":%d,"last":%q}`, i+1, len(invs), inv.ID)
		if err := j.NS.Put(ctx, progressKey, []byte(progress), time.Hour); err != nil { // EXPECT kvhotkey
			j.Log.Debug("progress", "err", err)
		}
	}
	return j.NS.Put(ctx, lastRunKey, []byte(time.Now().UTC().Format(time.RFC3339)), 0)
}

func (j *ReminderJob) remind(ctx context.Context, inv billing.Invoice, stage int, s Settings) error {
	cust, err := j.Ledger.Customer(ctx, inv.CustomerID)
	if err != nil {
		return err
	}
	data := map[string]string{
		"number": inv.Number,
		"amount": strconv.FormatFloat(float64(inv.AmountCents)/100, 'f', 2, 64) + " " + inv.Currency,
		"due":    inv.DueAt.Format("2 January 2006"),
		"stage":  strconv.Itoa(stage + 1),
	}
	for _, to := range append([]string{cust.BillingEmail}, s.CCFinance...) {
		if err := j.Mail.Send(ctx, to, "dunning-reminder", data); err != nil {
			return err
		}
	}
	return nil
}

// SweepJob drops reminder state for invoices that are no longer open.
type SweepJob struct {
	NS     *kvstore.Namespace
	Ledger billing.Ledger
	Log    *slog.Logger
}

// Run is called by the scheduler.
func (j *SweepJob) Run() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	pager := j.NS.Client().KV.Namespaces.Keys.ListAutoPaging(ctx, j.NS.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(j.NS.AccountID()),
		Prefix:    cloudflare.F(statePrefix),
	})
	var stale []string
	for pager.Next() {
		key := pager.Current().Name
		var st State
		if err := j.NS.GetJSON(ctx, key, &st); err != nil { // EXPECT kvlist
			continue
		}
		inv, err := j.Ledger.Invoice(ctx, st.InvoiceID)
		if errors.Is(err, billing.ErrNoRows) || (err == nil && inv.Status != "open") {
			stale = append(stale, key)
		}
	}
	if err := pager.Err(); err != nil {
		j.Log.Error("sweep listing", "err", err)
	}
	for chunk := range slices.Chunk(stale, kvstore.MaxBulk) {
		if err := j.NS.DeleteMany(ctx, chunk); err != nil {
			j.Log.Error("sweep delete", "err", err)
			return
		}
	}
	j.Log.Info("dunning sweep", "removed", len(stale))
}
