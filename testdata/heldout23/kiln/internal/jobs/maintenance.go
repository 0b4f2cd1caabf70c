package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/kvstore/cfkv"
)

// Stats is the daily marketplace snapshot.
type Stats struct {
	Date     string    `json:"date"`
	Studios  int       `json:"studios"`
	Bookings int       `json:"bookings"`
	Taken    time.Time `json:"taken"`
}

// Counter reports marketplace totals from the bookings database.
type Counter interface {
	Totals(ctx context.Context) (studios, bookings int, err error)
	QueueDepth(ctx context.Context) (int, error)
}

// Maintenance holds the job implementations.
type Maintenance struct {
	bucket  *kvstore.Bucket
	ns      *cfkv.Namespace
	counter Counter
	maxKeys int
}

// NewMaintenance returns the maintenance jobs; maxKeys bounds exports.
func NewMaintenance(b *kvstore.Bucket, ns *cfkv.Namespace, c Counter, maxKeys int) *Maintenance {
	return &Maintenance{bucket: b, ns: ns, counter: c, maxKeys: maxKeys}
}

// Jobs returns the schedule.
func (m *Maintenance) Jobs() []Job {
	return []Job{
		{Name: "snapshot", Every: time.Hour, Run: m.Snapshot},
		{Name: "reindex-studios", Every: 6 * time.Hour, Run: m.ReindexStudios},
		{Name: "reconcile-holds", Every: 15 * time.Minute, Run: m.ReconcileHolds},
		{Name: "queue-depth", Every: time.Second, Run: m.PublishQueueDepth},
	}
}

// Snapshot stores the hourly totals, once per run.
func (m *Maintenance) Snapshot(ctx context.Context) error {
	studios, bookings, err := m.counter.Totals(ctx)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	st := Stats{Date: now.Format("2006-01-02"), Studios: studios, Bookings: bookings, Taken: now}
	if err := m.bucket.PutJSON(ctx, "stats:daily:"+st.Date, st, 400*24*time.Hour); err != nil {
		return err
	}
	return m.bucket.PutJSON(ctx, "stats:latest", st, 0)
}

// PublishQueueDepth mirrors the firing queue depth for the lobby display.
func (m *Maintenance) PublishQueueDepth(ctx context.Context) error {
	n, err := m.counter.QueueDepth(ctx)
	if err != nil {
		return err
	}
	return m.bucket.Put(ctx, "lobby:queue-depth", []byte(fmt.Sprint(n)), 0) // DEBATABLE kvhotkey
}

// ReindexStudios rebuilds the list of all studio ids used by the sitemap.
func (m *Maintenance) ReindexStudios(ctx context.Context) error {
	var ids []string
	for k, err := range m.bucket.Keys(ctx, "studio:") { // EXPECT kvlist
		if err != nil {
			return err
		}
		ids = append(ids, strings.TrimPrefix(k, "studio:"))
	}
	return m.bucket.PutJSON(ctx, "sitemap:studios", ids, 0)
}

// Export writes every key of the namespace to w, one JSON line per key.
func (m *Maintenance) Export(ctx context.Context, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	pager := m.ns.Client().KV.Namespaces.Keys.ListAutoPaging(ctx, m.ns.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(m.ns.AccountID()),
	})
	n := 0
	for pager.Next() {
		k := pager.Current()
		if err := enc.Encode(map[string]any{"name": k.Name, "expiration": k.Expiration}); err != nil {
			return n, err
		}
		n++
	}
	return n, pager.Err()
}

// ExportPrefix writes the keys under prefix to w, stopping at the
// configured budget.
func (m *Maintenance) ExportPrefix(ctx context.Context, prefix string, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	pager := m.ns.Client().KV.Namespaces.Keys.ListAutoPaging(ctx, m.ns.ID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(m.ns.AccountID()),
		Prefix:    cloudflare.F(prefix),
	})
	n := 0
	for n < m.maxKeys && pager.Next() {
		if err := enc.Encode(pager.Current().Name); err != nil {
			return n, err
		}
		n++
	}
	return n, pager.Err()
}

// ReconcileHolds removes hold keys whose class has been cancelled.
func (m *Maintenance) ReconcileHolds(ctx context.Context) error {
	cf := m.ns.Client()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(m.ns.AccountID()),
		Prefix:    cloudflare.F("hold:"),
	}
	for {
		page, err := cf.KV.Namespaces.Keys.List(ctx, m.ns.ID(), params) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Result) == 0 {
			break
		}
		for _, k := range page.Result {
			if cancelled, _ := k.Metadata.(map[string]any)["cancelled"].(bool); cancelled {
				if err := m.bucket.Delete(ctx, k.Name); err != nil {
					return err
				}
			}
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return nil
}

// Shard is one slice of the nightly settlement.
type Shard struct {
	ID      string
	Studios []string
}

// Settle runs the nightly settlement shard by shard, leaving a heartbeat so
// the on-call dashboard can tell a slow run from a dead one.
func (m *Maintenance) Settle(ctx context.Context, shards []Shard, settle func(context.Context, Shard) error) error {
	cf := m.ns.Client()
	for _, sh := range shards {
		if err := settle(ctx, sh); err != nil {
			return fmt.Errorf("settle shard %s: %w", sh.ID, err)
		}
		_, err := cf.KV.Namespaces.Values.Update(ctx, m.ns.ID(), "jobs:settle:heartbeat", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(m.ns.AccountID()),
			Value:     cloudflare.F(sh.ID + " " + time.Now().UTC().Format(time.RFC3339)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// SampleKeys returns a large sample of key names for capacity planning.
func (m *Maintenance) SampleKeys(ctx context.Context, prefix string) ([]string, string, error) {
	page, err := m.ns.Client().KV.Namespaces.Keys.List(ctx, m.ns.ID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(m.ns.AccountID()),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}
