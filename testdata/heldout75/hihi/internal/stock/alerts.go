// Package stock lets patients ask to be told when an out-of-stock drug
// arrives at their store, and sends those notices when it does.
package stock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"hihi/internal/db"
	"hihi/internal/enums"
	"hihi/internal/kvstore"
)

// alertRetention drops subscriptions nobody acted on.
const alertRetention = 60 * 24 * time.Hour

// Sender delivers one notice.
type Sender interface {
	Send(ctx context.Context, ch enums.Channel, address, text string) error
}

// Config tunes notification behaviour.
type Config struct {
	// DedupeWindow suppresses a second notice for the same drug and patient.
	DedupeWindow time.Duration
	// DailyLimit caps notices per store and day; zero means no cap.
	DailyLimit int64
}

// Alerts is the stock-alert service.
type Alerts struct {
	ns     *kvstore.Namespace
	q      *db.Queries
	send   Sender
	cfg    Config
	log    *slog.Logger
	loc    *time.Location
	nowFn  func() time.Time
	digest func(storeID string) ([]byte, error)
}

// NewAlerts builds the service.
func NewAlerts(ns *kvstore.Namespace, send Sender, cfg Config, log *slog.Logger, loc *time.Location) *Alerts {
	return &Alerts{ns: ns, q: db.New(ns), send: send, cfg: cfg, log: log, loc: loc, nowFn: time.Now}
}

// Subscribe adds a patient to the restock list of a drug at a store.
func (a *Alerts) Subscribe(ctx context.Context, storeID, ndc string, sub db.Subscriber) error {
	alert, err := a.q.GetStockAlert(ctx, storeID, ndc)
	if errors.Is(err, db.ErrNoRows) {
		alert = db.StockAlert{StoreID: storeID, NDC: ndc}
	} else if err != nil {
		return err
	}
	for _, s := range alert.Subscribers {
		if s.PatientID == sub.PatientID {
			return nil
		}
	}
	alert.Subscribers = append(alert.Subscribers, sub)
	return a.q.UpsertStockAlert(ctx, db.UpsertStockAlertParams{ // EXPECT kvrace
		StoreID:    storeID,
		NDC:        ndc,
		Alert:      alert,
		TTLSeconds: int(alertRetention.Seconds()),
	})
}

// Restocked notifies everyone waiting for the drug and clears the list.
func (a *Alerts) Restocked(ctx context.Context, storeID, ndc, drugName string) (int, error) {
	alert, err := a.q.GetStockAlert(ctx, storeID, ndc)
	if errors.Is(err, db.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	day := a.nowFn().In(a.loc).Format("2006-01-02")
	sent := 0
	for _, sub := range alert.Subscribers {
		if dup, _ := a.q.GetAlertSent(ctx, storeID, ndc, sub.PatientID); dup {
			continue
		}
		ch, ok := enums.ParseChannel(sub.Channel)
		if !ok {
			continue
		}
		text := fmt.Sprintf("%s is back in stock at your pharmacy. Reply STOP to opt out.", drugName)
		if err := a.send.Send(ctx, ch, sub.Address, text); err != nil {
			a.log.WarnContext(ctx, "restock notice failed", "store", storeID, "ndc", ndc, "err", err)
			continue
		}
		sent++
		ttl := max(2*a.cfg.DedupeWindow, 3*time.Second)
		_ = a.q.MarkAlertSent(ctx, db.MarkAlertSentParams{ // DEBATABLE kvrace
			StoreID:    storeID,
			NDC:        ndc,
			PatientID:  sub.PatientID,
			TTLSeconds: int(ttl.Seconds()), // EXPECT kvttl
		})
		_ = a.q.SetLastNotified(ctx, db.SetLastNotifiedParams{ // EXPECT kvhotkey
			StoreID:    storeID,
			NDC:        ndc,
			At:         a.nowFn().UTC(),
			TTLSeconds: int(alertRetention.Seconds()),
		})
	}
	if sent > 0 {
		if err := a.countSent(ctx, storeID, day, int64(sent)); err != nil {
			a.log.WarnContext(ctx, "notify count not updated", "err", err)
		}
	}
	return sent, a.q.DeleteStockAlert(ctx, storeID, ndc)
}

func (a *Alerts) countSent(ctx context.Context, storeID, day string, n int64) error {
	total, err := a.q.GetNotifyCount(ctx, storeID, day)
	if err != nil && !errors.Is(err, db.ErrNoRows) {
		return err
	}
	return a.q.SetNotifyCount(ctx, db.SetNotifyCountParams{ // EXPECT kvcounter|kvrace
		StoreID:    storeID,
		Day:        day,
		Count:      total + n,
		TTLSeconds: int((8 * 24 * time.Hour).Seconds()),
	})
}

// UnderDailyLimit reports whether the store may still send today. It only
// reads the count.
func (a *Alerts) UnderDailyLimit(ctx context.Context, storeID string) (bool, error) {
	if a.cfg.DailyLimit == 0 {
		return true, nil
	}
	day := a.nowFn().In(a.loc).Format("2006-01-02")
	total, err := a.q.GetNotifyCount(ctx, storeID, day)
	if errors.Is(err, db.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return total < a.cfg.DailyLimit, nil
}

// SetDigestSource installs the function that renders a store's daily digest.
func (a *Alerts) SetDigestSource(fn func(storeID string) ([]byte, error)) { a.digest = fn }

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

func endOfWeek(t time.Time) time.Time {
	days := (7 - int(t.Weekday())) % 7
	if days == 0 {
		days = 7
	}
	y, m, d := t.Date()
	return time.Date(y, m, d+days, 0, 0, 0, 0, t.Location())
}

// PublishDigest caches the store's daily out-of-stock digest until local
// midnight, when tomorrow's digest replaces it.
func (a *Alerts) PublishDigest(ctx context.Context, storeID string) error {
	body, err := a.digest(storeID)
	if err != nil {
		return err
	}
	now := a.nowFn().In(a.loc)
	return a.ns.PutUntil(ctx, "digest:daily:"+storeID, body,
		endOfDay(now).UnixMilli()) // EXPECT kvttl
}

// PublishWeeklyDigest caches the weekly digest until the week rolls over.
func (a *Alerts) PublishWeeklyDigest(ctx context.Context, storeID string) error {
	body, err := a.digest(storeID)
	if err != nil {
		return err
	}
	now := a.nowFn().In(a.loc)
	return a.ns.PutUntil(ctx, "digest:weekly:"+storeID, body, endOfWeek(now).Unix())
}

// Summary is the per-drug subscriber count on the store dashboard.
type Summary struct {
	NDC         string `json:"ndc"`
	Subscribers int    `json:"subscribers"`
}

// Dashboard loads the subscription lists on one page of keys with a single
// bulk read.
func (a *Alerts) Dashboard(ctx context.Context, storeID, cursor string) ([]Summary, string, error) {
	row, err := a.q.ListStockAlerts(ctx, db.ListStockAlertsParams{StoreID: storeID, Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	vals, err := a.ns.BulkGet(ctx, row.Keys)
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(vals))
	for _, key := range row.Keys {
		raw, ok := vals[key]
		if !ok {
			continue
		}
		var alert db.StockAlert
		if json.Unmarshal([]byte(raw), &alert) == nil {
			out = append(out, Summary{NDC: alert.NDC, Subscribers: len(alert.Subscribers)})
		}
	}
	return out, row.Cursor, nil
}
