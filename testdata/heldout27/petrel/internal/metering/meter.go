// Package metering counts requests per API key and enforces quotas.
package metering

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/storage"
	"example.com/petrel/internal/tiered"
)

// ErrQuotaExceeded is returned by Consume once a key used its allowance.
var ErrQuotaExceeded = errors.New("metering: quota exceeded")

// reportTTL is how long a rendered daily report is kept.
const reportTTL = time.Hour

const lastEventKey = "usage/last-event"

type Totals struct {
	KeyID    ident.KeyID `json:"key_id"`
	Requests int64       `json:"requests"`
	Errors   int64       `json:"errors"`
	Bytes    int64       `json:"bytes"`
	AsOf     time.Time   `json:"as_of"`
}

type Event struct {
	KeyID  ident.KeyID `json:"key_id"`
	Route  string      `json:"route"`
	Status int         `json:"status"`
	Bytes  int64       `json:"bytes"`
	At     time.Time   `json:"at"`
}

// UsageDB is the system of record for usage.
type UsageDB interface {
	Totals(ctx context.Context, id ident.KeyID) (Totals, error)
	Query(ctx context.Context, sql string, args ...any) ([]byte, error)
}

// KV is the part of the legacy store the meter uses directly.
type KV interface {
	API() (*cloudflare.API, *cloudflare.ResourceContainer, string)
}

type Meter struct {
	api   *cloudflare.API
	rc    *cloudflare.ResourceContainer
	ns    string
	st    storage.Store
	db    UsageDB
	quota *tiered.WriteThrough
	plans *tiered.ReadThrough
	limit int
}

func ProvideMeter(kv KV, st storage.Store, db UsageDB, quota *tiered.WriteThrough, plans *tiered.ReadThrough) *Meter {
	api, rc, ns := kv.API()
	return &Meter{api: api, rc: rc, ns: ns, st: st, db: db, quota: quota, plans: plans, limit: 100_000}
}

func usageKey(id ident.KeyID) string    { return "usage/" + string(id) }
func snapshotKey(id ident.KeyID) string { return "usage-snapshot/" + string(id) }

// Record adds n requests to the running total of id.
func (m *Meter) Record(ctx context.Context, id ident.KeyID, n int) error {
	key := usageKey(id)
	cur := 0
	raw, err := m.api.GetWorkersKV(ctx, m.rc, cloudflare.GetWorkersKVParams{NamespaceID: m.ns, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		if cur, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("metering: total of %s: %w", id, err)
		}
	case errors.As(err, &nf):
	default:
		return err
	}
	_, err = m.api.WriteWorkersKVEntries(ctx, m.rc, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvcounter
		NamespaceID: m.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         strconv.Itoa(cur + n),
			ExpirationTTL: int((35 * 24 * time.Hour).Seconds()),
		}},
	})
	return err
}

// Snapshot returns recent totals, cached briefly in KV.
func (m *Meter) Snapshot(ctx context.Context, id ident.KeyID) (Totals, error) {
	var t Totals
	raw, err := m.st.Get(ctx, snapshotKey(id))
	if err == nil && json.Unmarshal(raw, &t) == nil {
		return t, nil
	}
	if err != nil && !storage.IsNotFound(err) {
		return Totals{}, err
	}
	t, err = m.db.Totals(ctx, id)
	if err != nil {
		return Totals{}, err
	}
	b, _ := json.Marshal(t)
	if err := m.st.Put(ctx, snapshotKey(id), b, storage.PutOptions{
		TTL: 45 * time.Second, // EXPECT kvttl
	}); err != nil {
		return Totals{}, err
	}
	return t, nil
}

// Consume takes one request from the key's allowance.
func (m *Meter) Consume(ctx context.Context, id ident.KeyID) error {
	k := "quota/" + string(id)
	used := 0
	b, err := m.quota.Get(ctx, k)
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(b))
	case !storage.IsNotFound(err):
		return err
	}
	if used >= m.limit {
		return ErrQuotaExceeded
	}
	return m.quota.Set(ctx, k, strconv.AppendInt(nil, int64(used+1), 10)) // EXPECT kvcounter
}

// Flush stores the newest event of every key in a batch.
func (m *Meter) Flush(ctx context.Context, events []Event) error {
	latest := make(map[ident.KeyID]Event, len(events))
	for _, ev := range events {
		if err := ctx.Err(); err != nil {
			return err
		}
		if prev, ok := latest[ev.KeyID]; !ok || ev.At.After(prev.At) {
			latest[ev.KeyID] = ev
		}
		b, _ := json.Marshal(ev)
		if err := m.st.Put(ctx, lastEventKey, b, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	for id, ev := range latest {
		b, _ := json.Marshal(ev)
		if err := m.st.Put(ctx, "usage/latest/"+string(id), b, storage.PutOptions{TTL: 7 * 24 * time.Hour}); err != nil {
			return err
		}
	}
	return nil
}

// AlertThreshold is the percentage of quota at which the team is mailed.
func (m *Meter) AlertThreshold(ctx context.Context, id ident.KeyID) int {
	raw, _ := m.api.GetWorkersKV(ctx, m.rc, cloudflare.GetWorkersKVParams{NamespaceID: m.ns, Key: "alert-threshold/" + string(id)}) // EXPECT kvnull
	pct, _ := strconv.Atoi(string(raw))
	return pct
}

// StoreDailyReport keeps a rendered report for the dashboard.
func (m *Meter) StoreDailyReport(ctx context.Context, id ident.KeyID, html []byte) error {
	_, err := m.api.WriteWorkersKVEntries(ctx, m.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: m.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           "report/" + string(id),
			Value:         string(html),
			ExpirationTTL: int(reportTTL), // EXPECT kvttl
		}},
	})
	return err
}

// UsageMany reads snapshots of several keys concurrently.
func (m *Meter) UsageMany(ctx context.Context, ids []ident.KeyID) ([]Totals, error) {
	if len(ids) > 50 {
		return nil, fmt.Errorf("metering: at most 50 keys per call, got %d", len(ids))
	}
	out := make([]Totals, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			out[i], errs[i] = m.Snapshot(cctx, id)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("metering: usage of %s: %w", ids[i], err)
		}
	}
	return out, nil
}
