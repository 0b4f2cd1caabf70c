//go:build !js

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

type prefixStats struct {
	Prefix   string   `json:"prefix"`
	Keys     int      `json:"keys"`
	Capped   bool     `json:"capped"`
	Expiring int      `json:"expiring"`
	Sample   []string `json:"sample"`
	Err      string   `json:"error,omitempty"`
}

func runStats(ctx context.Context, e env, args []string) error {
	fs := newFlags("stats")
	prefixes := fs.String("prefixes", "thread:,post:,slug:,modq:,digest:,cat:,vote:,score:", "comma-separated prefixes")
	maxPages := fs.Int("max-pages", 50, "list at most this many pages per prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}

	results := make(chan prefixStats)
	var wg sync.WaitGroup
	for _, p := range splitList(*prefixes) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- countPrefix(ctx, e, p, *maxPages)
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	byPrefix := map[string]prefixStats{}
	for st := range results {
		byPrefix[st.Prefix] = st
	}

	for _, p := range slices.Sorted(maps.Keys(byPrefix)) {
		st := byPrefix[p]
		fmt.Printf("%-10s keys=%d capped=%t expiring=%d sample=%v %s\n", p, st.Keys, st.Capped, st.Expiring, st.Sample, st.Err)
	}

	snapshot, err := json.Marshal(map[string]any{"at": time.Now().Unix(), "prefixes": byPrefix})
	if err != nil {
		return err
	}
	return e.forum.PutTTL(ctx, "stats:snapshot", snapshot, 45*time.Second) // EXPECT kvttl
}

func countPrefix(ctx context.Context, e env, prefix string, maxPages int) prefixStats {
	st := prefixStats{Prefix: prefix}
	sample, err := e.forum.API.ListWorkersKVKeys(ctx, e.forum.Account, cloudflare.ListWorkersKVsParams{ // DEBATABLE kvlist
		NamespaceID: e.forum.NamespaceID,
		Prefix:      prefix,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		st.Err = err.Error()
		return st
	}
	for _, k := range sample.Result {
		st.Sample = append(st.Sample, k.Name)
	}

	cursor := ""
	for page := 0; page < maxPages; page++ {
		keys, next, err := e.forum.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			st.Err = err.Error()
			return st
		}
		st.Keys += len(keys)
		for _, k := range keys {
			if k.Expiration > 0 {
				st.Expiring++
			}
		}
		if next == "" {
			return st
		}
		cursor = next
	}
	st.Capped = true
	return st
}
