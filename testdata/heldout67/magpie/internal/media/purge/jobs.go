// Package purge queues cache purge jobs. The API writes a job; the purge app
// inside our Caddy build drains the queue and calls the zone's purge endpoint.
package purge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/magpie-media/magpie/internal/kvrest"
)

// Status of a job.
type Status string

const (
	Pending Status = "pending"
	Running Status = "running"
	Done    Status = "done"
	Failed  Status = "failed"
)

// Job purges a set of URLs or prefixes in one zone.
type Job struct {
	ID       string    `json:"id"`
	Zone     string    `json:"zone"`
	URLs     []string  `json:"urls,omitempty"`
	Prefixes []string  `json:"prefixes,omitempty"`
	Status   Status    `json:"status"`
	Attempts int       `json:"attempts"`
	Log      []string  `json:"log,omitempty"`
	Created  time.Time `json:"created"`
}

// JobMeta is stored as KV metadata so that listing pending jobs needs no get.
type JobMeta struct {
	Zone   string `json:"zone"`
	Status Status `json:"status"`
	N      int    `json:"n"`
}

// PendingPrefix is the prefix of queued jobs.
const PendingPrefix = "purge:pending:"

// Queue stores purge jobs.
type Queue struct {
	KV *kvrest.Namespace
	// DailyLimit is the number of purge requests a zone may queue per UTC day.
	DailyLimit int
	// Retain is how long finished jobs are kept for the dashboard.
	Retain time.Duration
}

var ErrQuota = errors.New("daily purge quota exhausted")

func jobKey(id string) string { return "purge:job:" + id }

// endOfDay returns midnight UTC following t.
func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// Enqueue stores a new job and its pending marker.
func (q *Queue) Enqueue(ctx context.Context, zone string, urls, prefixes []string) (*Job, error) {
	if err := q.charge(ctx, zone); err != nil {
		return nil, err
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	j := &Job{
		ID:       hex.EncodeToString(id),
		Zone:     zone,
		URLs:     urls,
		Prefixes: prefixes,
		Status:   Pending,
		Created:  time.Now().UTC(),
	}
	if err := q.KV.PutJSON(ctx, jobKey(j.ID), j, 7*24*time.Hour); err != nil {
		return nil, err
	}
	meta := JobMeta{Zone: zone, Status: Pending, N: len(urls) + len(prefixes)}
	return j, q.KV.PutWithMeta(ctx, PendingPrefix+j.ID, nil, meta, 24*time.Hour)
}

// charge counts one purge against the zone's daily quota.
func (q *Queue) charge(ctx context.Context, zone string) error {
	now := time.Now()
	key := fmt.Sprintf("quota:purge:%s:%s", zone, now.UTC().Format("20060102"))
	used := 0
	raw, err := q.KV.Get(ctx, key)
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(raw))
	case !kvrest.IsNotFound(err):
		return err
	}
	if used >= q.DailyLimit {
		return ErrQuota
	}
	return q.KV.PutUntil(ctx, key, []byte(strconv.Itoa(used+1)), endOfDay(now)) // EXPECT kvcounter|kvrace
}

// Finish records the outcome of a job.
func (q *Queue) Finish(ctx context.Context, id string, runErr error) error {
	var j Job
	if err := q.KV.GetJSON(ctx, jobKey(id), &j); err != nil {
		return err
	}
	j.Attempts++
	if runErr != nil {
		j.Status = Failed
		j.Log = append(j.Log, time.Now().UTC().Format(time.RFC3339)+" "+runErr.Error())
	} else {
		j.Status = Done
	}
	if err := q.KV.PutJSON(ctx, jobKey(id), &j, q.Retain); err != nil { // EXPECT kvrace
		return err
	}
	return q.KV.Delete(ctx, PendingPrefix+id)
}

// Cancel overwrites a pending job with a cancelled record. The record is
// written from the request alone; nothing of the old job is kept.
func (q *Queue) Cancel(ctx context.Context, id, zone string) error {
	j := Job{ID: id, Zone: zone, Status: Failed, Log: []string{"cancelled by user"}, Created: time.Now().UTC()}
	if err := q.KV.PutJSON(ctx, jobKey(id), j, q.Retain); err != nil {
		return err
	}
	return q.KV.Delete(ctx, PendingPrefix+id)
}

// Export returns every pending job's metadata for the nightly report.
func (q *Queue) Export(ctx context.Context) ([]JobMeta, error) {
	pager := q.KV.KV.Namespaces.Keys.ListAutoPaging(ctx, q.KV.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(q.KV.AccountID),
		Prefix:    cloudflare.F(PendingPrefix),
	})
	var out []JobMeta
	for pager.Next() {
		k := pager.Current()
		raw, _ := json.Marshal(k.Metadata)
		var m JobMeta
		if json.Unmarshal(raw, &m) == nil {
			out = append(out, m)
		}
	}
	return out, pager.Err()
}

// Archive copies finished jobs to the cold ARCHIVE namespace in one pass.
func (q *Queue) Archive(ctx context.Context, archive *kvrest.Namespace, jobs []Job) error {
	entries := make([]kvrest.Entry, 0, len(jobs))
	for _, j := range jobs {
		raw, _ := json.Marshal(j)
		entries = append(entries, kvrest.Entry{Key: "archive:" + j.ID, Value: string(raw), TTL: 90 * 24 * time.Hour})
	}
	return archive.BulkPut(ctx, entries, 20_000) // EXPECT kvlimits
}

// Recent returns one page of pending job keys and the cursor for the next.
func (q *Queue) Recent(ctx context.Context, cursor string) ([]string, string, error) {
	keys, next, err := q.KV.Page(ctx, PendingPrefix, cursor, 5) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, k.Name[len(PendingPrefix):])
	}
	return ids, next, nil
}

// Oldest returns the first page of pending jobs in key order, for the
// dashboard's "stuck jobs" panel, together with the cursor for more.
func (q *Queue) Oldest(ctx context.Context) ([]string, string, error) {
	keys, next, err := q.KV.Page(ctx, PendingPrefix, "", 2500) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	return names, next, nil
}
