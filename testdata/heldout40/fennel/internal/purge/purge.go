// Package purge drains the CDN purge queue. The edge and the dashboard
// enqueue purge requests as KV keys; the backend sends them to the CDN in
// batches and removes the cached objects they name.
package purge

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/podloft/fennel/internal/keys"
	"github.com/podloft/fennel/internal/kvadmin"
)

const (
	progressKey    = "purge:progress"
	logPrefix      = "purge:log:"
	reportPrefix   = "purge:report:"
	maxURLsPerCall = 30
)

// Message is one queued purge request.
type Message struct {
	Type string         `json:"type"`
	URLs []string       `json:"urls,omitempty"`
	Show keys.ShowID    `json:"show,omitempty"`
	Ep   keys.EpisodeID `json:"episode,omitempty"`
	At   time.Time      `json:"at"`
}

// CDN is the cache purge API.
type CDN interface {
	PurgeURLs(ctx context.Context, urls []string) error
	PurgeTags(ctx context.Context, tags []string) error
}

// Queue drains queued purge requests.
type Queue struct {
	st       *kvadmin.Store
	cdn      CDN
	log      *slog.Logger
	handlers map[string]func(ctx context.Context, q *Queue, m Message) error
}

// NewQueue returns a drainer over the edge namespace.
func NewQueue(st *kvadmin.Store, cdn CDN, log *slog.Logger) *Queue {
	return &Queue{
		st:  st,
		cdn: cdn,
		log: log,
		handlers: map[string]func(context.Context, *Queue, Message) error{
			"url":     purgeURLs,
			"episode": purgeEpisode,
			"show":    purgeShow,
		},
	}
}

func purgeURLs(ctx context.Context, q *Queue, m Message) error {
	for start := 0; start < len(m.URLs); start += maxURLsPerCall {
		if err := q.cdn.PurgeURLs(ctx, m.URLs[start:min(start+maxURLsPerCall, len(m.URLs))]); err != nil {
			return err
		}
	}
	return nil
}

func purgeEpisode(ctx context.Context, q *Queue, m Message) error {
	tx := q.st.Begin()
	tx.Delete(keys.EpisodeKey{Show: m.Show, Episode: m.Ep}.String())
	tx.Delete(keys.CDNObjects.Under(m.Show) + string(m.Ep))
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	return q.cdn.PurgeTags(ctx, []string{"ep-" + string(m.Ep)})
}

// purgeShow drops every cached object a show has at the edge.
func purgeShow(ctx context.Context, q *Queue, m Message) error {
	var names []string
	iter := q.st.All(ctx, keys.CDNObjects.Under(m.Show)) // EXPECT kvlist
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return err
	}
	tx := q.st.Begin()
	for _, n := range names {
		tx.Delete(n)
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	return q.cdn.PurgeTags(ctx, []string{"show-" + string(m.Show)})
}

// Drain processes everything currently queued.
func (q *Queue) Drain(ctx context.Context) (done int, err error) {
	params := q.st.ListParams(string(keys.PurgeQueue))
	for {
		page, err := q.st.Keys().List(ctx, q.st.ID(), params) // EXPECT kvlist
		if err != nil {
			return done, err
		}
		if len(page.Result) == 0 {
			break
		}
		for _, k := range page.Result {
			raw, err := q.st.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				if kvadmin.IsNotFound(err) {
					continue
				}
				return done, err
			}
			if err := q.handle(ctx, k.Name, raw); err != nil {
				q.log.Warn("purge failed", "key", k.Name, "err", err)
				continue
			}
			done++
			_ = q.st.Put(ctx, progressKey, []byte(k.Name), 0) // EXPECT kvhotkey
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return done, nil
}

func (q *Queue) handle(ctx context.Context, key string, raw []byte) error {
	var m Message
	if err := json.Unmarshal(raw, &m); err != nil {
		return q.st.Delete(ctx, key)
	}
	h, ok := q.handlers[m.Type]
	if !ok {
		return fmt.Errorf("purge: unknown message type %q", m.Type)
	}
	if err := h(ctx, q, m); err != nil {
		return err
	}
	if err := q.appendLog(ctx, m); err != nil {
		q.log.Warn("purge log", "err", err)
	}
	return q.st.Delete(ctx, key)
}

// appendLog keeps a human-readable log of purges per day for support.
func (q *Queue) appendLog(ctx context.Context, m Message) error {
	key := logPrefix + time.Now().UTC().Format(time.DateOnly)
	old, err := q.st.Get(ctx, key)
	if err != nil && !kvadmin.IsNotFound(err) {
		return err
	}
	line := fmt.Sprintf("%s %s show=%s ep=%s urls=%d\n", time.Now().UTC().Format(time.TimeOnly), m.Type, m.Show, m.Ep, len(m.URLs))
	return q.st.Put(ctx, key, append(old, line...), 7*24*time.Hour) // EXPECT kvrace
}

// Backlog returns the names of queued requests, for the ops dashboard.
func (q *Queue) Backlog(ctx context.Context) ([]string, error) {
	first, err := q.st.Keys().List(ctx, q.st.ID(), q.st.ListParams(string(keys.PurgeQueue)))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range first.Result {
		out = append(out, k.Name)
	}
	cursor := first.ResultInfo.Cursor
	for pages := 1; cursor != "" && pages < 20; pages++ {
		next, err := q.st.Keys().List(ctx, q.st.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cloudflare.F(q.st.Account()),
			Cursor:    cloudflare.F(cursor),
		})
		if err != nil {
			return nil, err
		}
		for _, k := range next.Result {
			out = append(out, k.Name)
		}
		cursor = next.ResultInfo.Cursor
	}
	return out, nil
}

// HasBacklog reports whether anything is queued for a show.
func (q *Queue) HasBacklog(ctx context.Context, show keys.ShowID) (bool, error) {
	page, err := q.st.Keys().List(ctx, q.st.ID(), kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(q.st.Account()),
		Prefix:    cloudflare.F(keys.PurgeQueue.Under(show)),
		Limit:     cloudflare.F(1.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(page.Result) > 0, nil
}

// Pending returns up to budget queued messages, reading a bounded number of
// pages and stopping at ctx's deadline.
func (q *Queue) Pending(ctx context.Context, budget int) ([]Message, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	const maxPages = 5
	var (
		names  []string
		cursor string
	)
	for page := 0; page < maxPages && len(names) < budget; page++ {
		ks, next, err := q.st.Page(ctx, string(keys.PurgeQueue), cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range ks {
			names = append(names, k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(names) > budget {
		names = names[:budget]
	}
	return q.fetchAll(ctx, names)
}

// fetchAll reads the named messages concurrently.
func (q *Queue) fetchAll(ctx context.Context, names []string) ([]Message, error) {
	type result struct {
		idx int
		m   Message
	}
	results := make(chan result, len(names))
	errc := make(chan error, len(names))
	for i, name := range names {
		go func() {
			raw, err := q.st.Get(ctx, name) // DEBATABLE kvlist
			if err != nil {
				errc <- err
				return
			}
			var m Message
			if err := json.Unmarshal(raw, &m); err != nil {
				errc <- err
				return
			}
			results <- result{idx: i, m: m}
		}()
	}
	out := make([]Message, len(names))
	var firstErr error
	for range names {
		select {
		case r := <-results:
			out[r.idx] = r.m
		case err := <-errc:
			if firstErr == nil && !kvadmin.IsNotFound(err) {
				firstErr = err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, firstErr
}

// Report purges a set of URL batches in parallel and stores a summary of
// failures per host for the day.
func (q *Queue) Report(ctx context.Context, batches [][]string) error {
	var (
		mu     sync.Mutex
		failed = map[string]int{}
	)
	errc := make(chan error, len(batches))
	for _, batch := range batches {
		go func(urls []string) {
			err := q.cdn.PurgeURLs(ctx, urls)
			if err != nil {
				mu.Lock()
				for _, u := range urls {
					host, _, _ := strings.Cut(strings.TrimPrefix(u, "https://"), "/")
					failed[host]++
				}
				mu.Unlock()
			}
			errc <- err
		}(batch)
	}
	for range batches {
		<-errc
	}
	summary, err := json.Marshal(failed)
	if err != nil {
		return err
	}
	key := reportPrefix + time.Now().UTC().Format("2006-01-02T15")
	return q.st.Put(ctx, key, summary, 30*24*time.Hour)
}
