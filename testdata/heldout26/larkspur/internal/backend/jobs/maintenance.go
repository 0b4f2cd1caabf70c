package jobs

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/larkspur/internal/backend/cfkv"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
)

const (
	maxPages = 50

	// routeBuckets is the number of hash buckets outgoing mail is spread
	// over when choosing a sending IP pool.
	routeBuckets = 16384
)

// Database answers questions only the primary database can.
type Database interface {
	CountSubscribers(ctx context.Context, listID string) (int, error)
}

// Maintenance holds the maintenance jobs.
type Maintenance struct {
	bulk     kvstore.Bulk
	api      *cloudflare.Client
	target   cfkv.Target
	ks       keys.Space
	db       Database
	listOpts []kvstore.Option
	pools    []string
}

// NewMaintenance returns the jobs over c. listOpts apply to every listing
// the jobs make.
func NewMaintenance(c *cfkv.Client, ks keys.Space, db Database, listOpts ...kvstore.Option) *Maintenance {
	api, t := c.API()
	return &Maintenance{
		bulk:     c,
		api:      api,
		target:   t,
		ks:       ks,
		db:       db,
		listOpts: listOpts,
		pools:    []string{"pool-a", "pool-b", "pool-c"},
	}
}

func (m *Maintenance) list(ctx context.Context, prefix, cursor string) (kvstore.Page, error) {
	opts := append(slices.Clone(m.listOpts), kvstore.WithCursor(cursor))
	return m.bulk.List(ctx, prefix, opts...)
}

// PendingReport logs how many unconfirmed signups expire within the next
// hour, for the deliverability alerts.
func (m *Maintenance) PendingReport(ctx context.Context) error {
	soon, total := 0, 0
	cursor := ""
	for range maxPages {
		page, err := m.bulk.List(ctx, m.ks.Confirms(), kvstore.WithCursor(cursor), kvstore.WithLimit(1000)) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			total++
			if !k.Expiration.IsZero() && time.Until(k.Expiration) < time.Hour {
				soon++
			}
		}
		cursor = page.Cursor
	}
	log.Printf("jobs: %d pending confirmations, %d expire within the hour", total, soon)
	return nil
}

// PurgeExports deletes export parts that older releases wrote without an
// expiration. It publishes its position after every page for the status
// page and stops at the page budget or the job's deadline.
func (m *Maintenance) PurgeExports(ctx context.Context) error {
	progress := m.ks.Prefix() + "purge:position"
	cursor := ""
	for range maxPages {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		page, err := m.list(ctx, m.ks.Prefix()+"export:", cursor)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if k.Expiration.IsZero() {
				if err := m.bulk.Delete(ctx, k.Name); err != nil {
					return err
				}
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
		if err := m.bulk.Put(ctx, progress, []byte(cursor), kvstore.WithTTL(time.Hour)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SuppressionDigest rebuilds the sorted digest of suppressed hashes that
// the sender loads at startup.
func (m *Maintenance) SuppressionDigest(ctx context.Context) error {
	prefix := m.ks.Suppressed("")
	iter := m.api.KV.Namespaces.Keys.ListAutoPaging(ctx, m.target.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(m.target.AccountID),
		Prefix:    cloudflare.F(prefix),
	})
	seen := make(map[string]struct{})
	for iter.Next() {
		seen[strings.TrimPrefix(iter.Current().Name, prefix)] = struct{}{}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	digest := strings.Join(slices.Sorted(maps.Keys(seen)), "\n")
	return m.bulk.Put(ctx, m.ks.Prefix()+"suppressed-digest", []byte(digest))
}

// ImportBlocklist loads disposable email domains, one per line, and marks
// each as blocked for the edge.
func (m *Maintenance) ImportBlocklist(ctx context.Context, src io.Reader) (int, error) {
	domains := make(map[string]bool)
	sc := bufio.NewScanner(src)
	for sc.Scan() {
		d := strings.ToLower(strings.TrimSpace(sc.Text()))
		if d != "" && !strings.HasPrefix(d, "#") {
			domains[d] = true
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	entries := make([]kvstore.Entry, 0, len(domains))
	for _, d := range slices.Sorted(maps.Keys(domains)) {
		entries = append(entries, kvstore.Entry{Key: m.ks.Prefix() + "blocked-domain:" + d, Value: []byte("1"), TTL: 30 * 24 * time.Hour})
	}
	if err := m.bulk.PutMany(ctx, entries, kvstore.WithBatch(25_000)); err != nil { // EXPECT kvlimits
		return 0, err
	}
	return len(entries), nil
}

// SeedRoutes writes the bucket-to-pool routing table.
func (m *Maintenance) SeedRoutes(ctx context.Context) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, routeBuckets)
	for i := range routeBuckets {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("%sroute:%05d", m.ks.Prefix(), i)),
			Value: cloudflare.F(m.pools[i%len(m.pools)]),
		})
	}
	_, err := m.api.KV.Namespaces.Bulk.Update(ctx, m.target.NamespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(m.target.AccountID),
		Body:      body,
	})
	return err
}

// ListSize returns a list's subscriber count, cached for ten minutes in
// front of the database.
func (m *Maintenance) ListSize(ctx context.Context, listID string) (int, error) {
	key := m.ks.ListCount(listID)
	if b, err := m.bulk.Get(ctx, key); err == nil {
		return strconv.Atoi(string(b))
	} else if !kvstore.IsNotFound(err) {
		return 0, err
	}
	n, err := m.db.CountSubscribers(ctx, listID)
	if err != nil {
		return 0, err
	}
	if err := m.bulk.Put(ctx, key, []byte(strconv.Itoa(n)), kvstore.WithTTL(10*time.Minute)); err != nil { // DEBATABLE kvcounter
		return 0, err
	}
	return n, nil
}
