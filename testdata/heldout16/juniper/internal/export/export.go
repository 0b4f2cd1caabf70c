// Package export streams the guest last-visit projection to the CRM as JSON
// lines. It is a pipeline: list keys → batch → bulk fetch (fanned out) →
// encode, with per-venue summaries written back for the console.
package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"

	"example.com/juniper/internal/cfapi"
	"example.com/juniper/internal/httpx"
	"example.com/juniper/internal/kvstore"
	"example.com/juniper/internal/records"
)

const (
	sourcePrefix = "guest-last/"
	bulkGetMax   = 100 // REST bulk get accepts at most 100 keys
)

// Row is one exported line.
type Row struct {
	Guest     string    `json:"guest"`
	VenueID   string    `json:"venue"`
	PartySize int       `json:"party"`
	LastVisit time.Time `json:"at"`
}

// Job is one export run.
type Job struct {
	ns      cfapi.Namespace
	store   kvstore.Store
	out     io.Writer
	workers int
}

// NewJob writes rows to out using workers concurrent fetchers.
func NewJob(ns cfapi.Namespace, store kvstore.Store, out io.Writer, workers int) *Job {
	return &Job{ns: ns, store: store, out: out, workers: max(workers, 1)}
}

// Run executes the pipeline and returns the number of rows written.
func (j *Job) Run(ctx context.Context) (int, error) {
	return j.sink(ctx, j.fetch(ctx, batch(j.listKeys(ctx, sourcePrefix), bulkGetMax)))
}

func (j *Job) listKeys(ctx context.Context, prefix string) <-chan httpx.Result[string] {
	out := make(chan httpx.Result[string], 256)
	go func() {
		defer close(out)
		iter := j.ns.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, j.ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cloudflare.F(j.ns.AccountID),
			Prefix:    cloudflare.F(prefix),
		})
		for iter.Next() {
			out <- httpx.Ok(iter.Current().Name)
		}
		if err := iter.Err(); err != nil {
			out <- httpx.Fail[string](err)
		}
	}()
	return out
}

func batch(in <-chan httpx.Result[string], size int) <-chan httpx.Result[[]string] {
	out := make(chan httpx.Result[[]string], 4)
	go func() {
		defer close(out)
		var buf []string
		for r := range in {
			if r.Err != nil {
				out <- httpx.Fail[[]string](r.Err)
				continue
			}
			if buf = append(buf, r.Value); len(buf) == size {
				out <- httpx.Ok(buf)
				buf = nil
			}
		}
		if len(buf) > 0 {
			out <- httpx.Ok(buf)
		}
	}()
	return out
}

func (j *Job) fetch(ctx context.Context, in <-chan httpx.Result[[]string]) <-chan httpx.Result[map[string]string] {
	out := make(chan httpx.Result[map[string]string], j.workers)
	var wg sync.WaitGroup
	for range j.workers {
		wg.Go(func() {
			for b := range in {
				if b.Err != nil {
					out <- httpx.Fail[map[string]string](b.Err)
					continue
				}
				vals, err := j.bulkGet(ctx, b.Value)
				out <- httpx.Result[map[string]string]{Value: vals, Err: err}
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

func (j *Job) bulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	res, err := j.ns.Client.KV.Namespaces.BulkGet(ctx, j.ns.ID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(j.ns.AccountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("export: bulk get: %w", err)
	}
	got, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return nil, fmt.Errorf("export: unexpected bulk get shape %T", res.AsUnion())
	}
	out := make(map[string]string, len(got.Values))
	for k, v := range got.Values {
		if s, ok := v.(shared.UnionString); ok {
			out[k] = string(s)
		}
	}
	return out, nil
}

func (j *Job) sink(ctx context.Context, in <-chan httpx.Result[map[string]string]) (rows int, firstErr error) {
	enc := json.NewEncoder(j.out)
	perVenue := map[string]int{}
	for r := range in {
		if r.Err != nil {
			firstErr = errors.Join(firstErr, r.Err)
			continue
		}
		last := ""
		for key, raw := range r.Value {
			var row Row
			if json.Unmarshal([]byte(raw), &row) != nil {
				continue
			}
			row.Guest = strings.TrimPrefix(key, sourcePrefix)
			if err := enc.Encode(row); err != nil {
				return rows, err
			}
			perVenue[row.VenueID]++
			rows++
			last = key
		}
		progress := fmt.Sprintf(`{"last_key":%q,"at":%q}`, last, time.Now().UTC().Format(time.RFC3339))
		if err := j.store.Put(ctx, "jobs/crm-export/progress", []byte(progress), kvstore.WithTTL(24*time.Hour)); err != nil { // EXPECT kvhotkey
			return rows, err
		}
	}
	for venue, n := range perVenue {
		b, _ := json.Marshal(map[string]any{"guests": n, "generated": time.Now().UTC()})
		if err := j.store.Put(ctx, records.Join("crm-summary", venue), b, kvstore.WithTTL(48*time.Hour)); err != nil {
			return rows, err
		}
	}
	return rows, firstErr
}
