//go:build !js

// Package digest builds the nightly e-mail digests. Each subscriber's
// rendered digest is stored in KV; the mailer picks it up from there.
package digest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"catbird/internal/forum"
	"catbird/internal/kvrest"
)

var ErrAlreadyRunning = errors.New("digest: another run holds the lock")

// Job is configured once at start-up and copied into each run.
type Job struct {
	API         *cloudflare.API
	Account     *cloudflare.ResourceContainer
	NamespaceID string
	Store       kvrest.Store
	DB          *sql.DB
	Retention   time.Duration
	Hostname    string
}

// Stats summarises one run.
type Stats struct {
	Subscribers int `json:"subscribers"`
	Built       int `json:"built"`
	Skipped     int `json:"skipped"`
	Failed      int `json:"failed"`
}

type result struct {
	memberID string
	pair     *cloudflare.WorkersKVPair
	skipped  bool
	err      error
}

// Run builds the digests for day (UTC midnight).
func (j Job) Run(ctx context.Context, day time.Time) (Stats, error) {
	lockKey := "lock:digest:" + day.Format("2006-01-02")
	if _, held, err := j.Store.Get(ctx, lockKey); err != nil {
		return Stats{}, err
	} else if held {
		return Stats{}, ErrAlreadyRunning
	}
	if err := j.Store.PutTTL(ctx, lockKey, []byte(j.Hostname), 2*time.Hour); err != nil { // EXPECT kvrace
		return Stats{}, err
	}
	defer func() {
		if err := j.Store.Delete(context.WithoutCancel(ctx), lockKey); err != nil {
			log.Printf("digest: release lock: %v", err)
		}
	}()

	subs, err := j.subscribers(ctx)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Subscribers: len(subs)}
	results := make(chan result, len(subs))
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Add(1)
		go func(s subscriber) {
			defer wg.Done()
			results <- j.buildOne(ctx, s, day)
		}(s)
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var pairs []*cloudflare.WorkersKVPair
	var built []string
	for res := range results {
		switch {
		case res.err != nil:
			st.Failed++
			log.Printf("digest: %s: %v", res.memberID, res.err)
		case res.skipped:
			st.Skipped++
		default:
			st.Built++
			pairs = append(pairs, res.pair)
			built = append(built, res.memberID)
		}
		progress, _ := json.Marshal(map[string]any{"day": day.Format("2006-01-02"), "done": st.Built + st.Skipped + st.Failed, "of": st.Subscribers})
		if err := j.Store.PutTTL(ctx, "digest:progress", progress, time.Hour); err != nil { // EXPECT kvhotkey
			log.Printf("digest: progress: %v", err)
		}
	}

	slices.Sort(built)
	index, err := json.Marshal(built)
	if err != nil {
		return st, err
	}
	expires := day.Add(j.Retention)
	pairs = append(pairs, &cloudflare.WorkersKVPair{
		Key:        "digest:index:" + day.Format("2006-01-02"),
		Value:      string(index),
		Expiration: int(expires.UnixMilli()), // EXPECT kvttl
	})
	if _, err := j.Store.PutMany(ctx, pairs); err != nil {
		return st, err
	}
	summary, _ := json.Marshal(st)
	return st, j.Store.Put(ctx, "digest:last-run", summary)
}

type subscriber struct {
	memberID string
	prefs    forum.DigestPrefs
}

// subscribers returns the prefs of every member with a digest subscription.
func (j Job) subscribers(ctx context.Context) ([]subscriber, error) {
	params := cloudflare.ListWorkersKVsParams{
		NamespaceID: j.NamespaceID,
		Prefix:      forum.PrefixDigestSub,
		Limit:       1000,
	}
	get := cloudflare.GetWorkersKVParams{NamespaceID: j.NamespaceID}
	var out []subscriber
	for {
		resp, err := j.API.ListWorkersKVKeys(ctx, j.Account, params) // EXPECT kvlist
		if err != nil {
			return nil, fmt.Errorf("digest: list subscribers: %w", err)
		}
		for _, k := range resp.Result {
			memberID := strings.TrimPrefix(k.Name, forum.PrefixDigestSub)
			get.Key = forum.DigestPrefsKey(memberID)
			raw, err := j.API.GetWorkersKV(ctx, j.Account, get) // EXPECT kvlist
			if err != nil {
				return nil, fmt.Errorf("digest: prefs %s: %w", memberID, err)
			}
			s := subscriber{memberID: memberID}
			if err := json.Unmarshal(raw, &s.prefs); err != nil {
				log.Printf("digest: skip %s: %v", memberID, err)
				continue
			}
			if !s.prefs.Paused {
				out = append(out, s)
			}
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	return out, nil
}

// buildOne renders one member's digest and records that it was built.
func (j Job) buildOne(ctx context.Context, s subscriber, day time.Time) result {
	res := result{memberID: s.memberID}
	p := s.prefs
	since := p.LastSentAt
	if since.IsZero() || day.Sub(since) > 7*24*time.Hour {
		since = day.Add(-24 * time.Hour)
	}
	rows, err := j.DB.QueryContext(ctx,
		`SELECT t.id, t.title, count(p.id) FROM threads t JOIN posts p ON p.thread_id = t.id
		 WHERE t.category_id = ANY($1) AND p.created_at >= $2 AND p.created_at < $3
		 GROUP BY t.id, t.title ORDER BY count(p.id) DESC LIMIT 20`,
		p.Categories, since, day)
	if err != nil {
		res.err = err
		return res
	}
	defer rows.Close()
	var b strings.Builder
	lines := 0
	for rows.Next() {
		var id, title string
		var n int
		if err := rows.Scan(&id, &title, &n); err != nil {
			res.err = err
			return res
		}
		fmt.Fprintf(&b, "%s (%d new) https://catbird.community/t/%s\n", title, n, id)
		lines++
	}
	if err := rows.Err(); err != nil {
		res.err = err
		return res
	}
	if lines == 0 {
		res.skipped = true
		return res
	}
	res.pair = &cloudflare.WorkersKVPair{
		Key:        forum.DigestKey(s.memberID, day),
		Value:      b.String(),
		Expiration: int(day.Add(j.Retention).Unix()),
		Metadata:   map[string]any{"threads": lines, "since": since.Unix()},
	}

	p.LastSentAt = time.Now().UTC()
	raw, err := json.Marshal(p)
	if err != nil {
		res.err = err
		return res
	}
	_, res.err = j.API.WriteWorkersKVEntry(ctx, j.Account, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: j.NamespaceID,
		Key:         forum.DigestPrefsKey(s.memberID),
		Value:       raw,
	})
	return res
}
