// Package metering tracks usage per API key and enforces plan quotas.
package metering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"

	"example.com/cobalt/internal/ledger"
	"example.com/cobalt/internal/storage"
	"example.com/cobalt/internal/storage/kvstore"
	"example.com/cobalt/internal/storage/typed"
)

// Errors returned by the package.
var (
	ErrQuotaExceeded = errors.New("metering: quota exceeded")
	ErrNoQuota       = errors.New("metering: no quota configured")
)

func day(t time.Time) string   { return t.UTC().Format("20060102") }
func month(t time.Time) string { return t.UTC().Format("200601") }

// Recorder keeps a daily usage figure per key in the store.
type Recorder struct {
	st  storage.Store
	now func() time.Time
}

// NewRecorder returns a store-backed recorder.
func NewRecorder(st storage.Store) *Recorder { return &Recorder{st: st, now: time.Now} }

// Add adds n to today's usage of keyID.
func (r *Recorder) Add(ctx context.Context, keyID string, n int64) error {
	key := "usage:" + keyID + ":" + day(r.now())
	var cur int64
	raw, err := r.st.Get(ctx, key)
	if err == nil {
		cur, err = strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return fmt.Errorf("metering: %s holds %q: %w", key, raw, err)
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return r.st.Put(ctx, key, strconv.AppendInt(nil, cur+n, 10), storage.PutOptions{TTL: 40 * 24 * time.Hour}) // EXPECT kvcounter
}

// LedgerRecorder keeps usage in the ledger database, where increments are
// single statements.
type LedgerRecorder struct {
	db  *ledger.DB
	now func() time.Time
}

// NewLedgerRecorder returns a ledger-backed recorder.
func NewLedgerRecorder(db *ledger.DB) *LedgerRecorder {
	return &LedgerRecorder{db: db, now: time.Now}
}

// Add implements the telemetry Meter.
func (r *LedgerRecorder) Add(ctx context.Context, keyID string, n int64) error {
	_, err := r.db.Add(ctx, "usage_"+month(r.now()), keyID, n)
	return err
}

// QuotaKey identifies a quota: "<owner>/<resource>".
type QuotaKey string

// Quota is a usage allowance for the current period.
type Quota struct {
	Limit  int64     `json:"limit"`
	Used   int64     `json:"used"`
	Period string    `json:"period"`
	Reset  time.Time `json:"reset"`
}

// Quotas enforces quotas kept in the store.
type Quotas struct {
	store *typed.Store[QuotaKey, Quota]
}

// NewQuotas returns a quota service.
func NewQuotas(st storage.Store) *Quotas {
	return &Quotas{store: typed.New[QuotaKey, Quota](st, "quota:", 0)}
}

// Consume takes n units from the quota or fails without taking any.
func (q *Quotas) Consume(ctx context.Context, k QuotaKey, n int64) (Quota, error) {
	cur, err := q.store.Get(ctx, k)
	if errors.Is(err, storage.ErrNotFound) {
		return Quota{}, ErrNoQuota
	}
	if err != nil {
		return Quota{}, err
	}
	if cur.Used+n > cur.Limit {
		return cur, ErrQuotaExceeded
	}
	cur.Used += n
	if err := q.store.Put(ctx, k, cur); err != nil { // EXPECT kvcounter
		return Quota{}, err
	}
	return cur, nil
}

// PlanID names a subscription plan.
type PlanID string

// Plan describes what a subscription allows.
type Plan struct {
	Name            string `json:"name"`
	MonthlyReadings int64  `json:"monthly_readings"`
	RetentionDays   int    `json:"retention_days"`
}

// Allowance answers "how much is left this month" from the plan in the store
// and the usage in the ledger.
type Allowance struct {
	plans *typed.Store[PlanID, Plan]
	db    *ledger.DB
	now   func() time.Time
}

// NewAllowance returns an allowance calculator.
func NewAllowance(st storage.Store, db *ledger.DB) *Allowance {
	return &Allowance{plans: typed.New[PlanID, Plan](st, "plan:", 0), db: db, now: time.Now}
}

// Remaining returns how many readings keyID may still send this month.
func (a *Allowance) Remaining(ctx context.Context, keyID string, plan PlanID) (int64, error) {
	p, err := a.plans.Get(ctx, plan) // EXPECT kvnull
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return 0, err
	}
	used, err := a.db.Value(ctx, "usage_"+month(a.now()), keyID)
	if err != nil && !errors.Is(err, ledger.ErrNoRows) {
		return 0, err
	}
	return p.MonthlyReadings - used, nil
}

// Rollup copies this month's ledger totals into the store, where the
// dashboard reads them. It runs once per cron tick.
func Rollup(ctx context.Context, db *ledger.DB, st storage.Store, now time.Time, log *slog.Logger) error {
	m := month(now)
	rows, err := db.Scan(ctx, "usage_"+m, "")
	if err != nil {
		return err
	}
	for _, row := range rows {
		key := "usage:summary:" + row.ID + ":" + m
		if err := st.Put(ctx, key, strconv.AppendInt(nil, row.Value, 10), storage.PutOptions{TTL: 400 * 24 * time.Hour}); err != nil {
			return err
		}
	}
	log.InfoContext(ctx, "usage rollup written", "month", m, "keys", len(rows))
	return nil
}

const reportChunk = 250

// DailyReport reads today's usage figures for many keys with bulk reads.
func DailyReport(ctx context.Context, b kvstore.Binding, keyIDs []string, now time.Time) (map[string]int64, error) {
	keys := make([]string, len(keyIDs))
	for i, id := range keyIDs {
		keys[i] = "usage:" + id + ":" + day(now)
	}
	out := map[string]int64{}
	for start := 0; start < len(keys); start += reportChunk {
		chunk := keys[start:min(start+reportChunk, len(keys))]
		res, err := b.Client.KV.Namespaces.Keys.BulkGet(ctx, b.NamespaceID, kv.NamespaceKeyBulkGetParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(b.AccountID),
			Keys:      cloudflare.F(chunk),
		})
		if err != nil {
			return nil, err
		}
		vals, ok := res.AsUnion().(kv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			continue
		}
		for i, k := range chunk {
			s, ok := vals.Values[k].(shared.UnionString)
			if !ok {
				continue
			}
			n, err := strconv.ParseInt(string(s), 10, 64)
			if err == nil {
				out[keyIDs[start+i]] = n
			}
		}
	}
	return out, nil
}
