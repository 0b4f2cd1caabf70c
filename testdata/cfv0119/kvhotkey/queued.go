package kvhotkey

import (
	"context"
	"strconv"

	"github.com/cloudflare/cloudflare-go"
)

// A query batch in the style of pgx's: each query's callback runs once
// its row arrives, after the batch is sent.
type row interface{ Scan(dest ...any) error }

type queued struct{ onRow func(row) error }

func (q *queued) QueryRow(fn func(row) error) { q.onRow = fn }

type batch struct{ queries []*queued }

func (b *batch) Queue(sql string, args ...any) *queued {
	q := &queued{}
	b.queries = append(b.queries, q)
	return q
}

// Quiet: each callback writes the show its row names, scanned from the
// row into a record.
func refreshSummaries(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, showIDs []string) *batch {
	b := &batch{}
	for _, id := range showIDs {
		b.Queue("SELECT id, title FROM shows WHERE id = $1", id).QueryRow(func(r row) error {
			var sum struct{ ID, Title string }
			if err := r.Scan(&sum.ID, &sum.Title); err != nil {
				return err
			}
			_, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "showsum:" + sum.ID, Value: []byte(sum.Title)})
			return err
		})
	}
	return b
}

// Each callback writes one fixed key: as many writes of it as shows.
func refreshTotals(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, showIDs []string) *batch { // want refreshTotals:"kvhotkey"
	b := &batch{}
	for _, id := range showIDs {
		b.Queue("SELECT count(*) FROM downloads WHERE show_id = $1", id).QueryRow(func(r row) error {
			var n int64
			if err := r.Scan(&n); err != nil {
				return err
			}
			_, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "downloads:latest", Value: []byte(strconv.FormatInt(n, 10))}) // want `this loop writes the same KV key on every iteration`
			return err
		})
	}
	return b
}
