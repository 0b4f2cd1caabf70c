//go:build js && wasm

package analytics

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"bittern/internal/iterx"
	"bittern/internal/jobs"
	"bittern/internal/kvctx"
)

func init() {
	jobs.Register("rollup-downloads", rollupDownloads)
	jobs.RegisterWithTimeout("purge-legacy-uniques", 25*time.Second, purgeLegacyUniques)
}

// rollupDownloads folds yesterday's per-episode download counters into one
// summary record that the dashboard charts read.
func rollupDownloads(ctx context.Context) error {
	s := kvctx.From(ctx)
	yesterday := day(time.Now().AddDate(0, 0, -1))
	onDay := func(k string) bool { return strings.HasSuffix(k, ":"+yesterday) }
	episodeOf := func(k string) string { return strings.TrimSuffix(strings.TrimPrefix(k, "dl:"), ":"+yesterday) }
	summary := map[string]int{}
	for episode, err := range iterx.Map(iterx.Filter(s.Keys(ctx, "dl:"), onDay), episodeOf) { // EXPECT kvlist
		if err != nil {
			return err
		}
		raw, ok, err := s.Lookup(ctx, s.Key("dl", episode, yesterday)) // EXPECT kvlist
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			continue
		}
		summary[episode] = n
	}
	b, err := json.Marshal(summary)
	if err != nil {
		return err
	}
	return s.Put(ctx, "downloads-by-day:"+yesterday, string(b), 400*24*time.Hour)
}

// purgeLegacyUniques deletes the unique-listener sets of the retired
// "uniq:" layout, which were written without an expiry. Listing stops at the
// job's deadline; the next run continues where this one left off.
func purgeLegacyUniques(ctx context.Context) error {
	s := kvctx.From(ctx)
	for key, err := range s.Keys(ctx, "uniq:") {
		if err != nil {
			return err
		}
		if err := s.Delete(ctx, key); err != nil {
			return err
		}
	}
	return nil
}
