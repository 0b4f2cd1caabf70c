package cloudfn

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/ruru-fm/ruru/internal/kvclient"
	"github.com/ruru-fm/ruru/internal/podcast"
)

func init() {
	functions.CloudEvent("NightlyRollup", NightlyRollup)
	functions.CloudEvent("PruneFeedCaches", PruneFeedCaches)
}

// schedulerJob is the payload Cloud Scheduler publishes to the rollup topic.
type schedulerJob struct {
	Day    string `json:"day"` // optional override, YYYY-MM-DD
	DryRun bool   `json:"dryRun"`
	Reason string `json:"reason"`
}

// NightlyRollup turns the previous day's per-episode download counters into
// one rollup document per show, and publishes lifetime view totals.
func NightlyRollup(ctx context.Context, e event.Event) error {
	var job schedulerJob
	if _, err := decodePubSub(e, &job); err != nil {
		return err
	}
	day := time.Now().UTC().AddDate(0, 0, -1)
	if job.Day != "" {
		d, err := time.Parse("2006-01-02", job.Day)
		if err != nil {
			return fmt.Errorf("bad day override %q: %w", job.Day, err)
		}
		day = d
	}
	st, err := kvStore()
	if err != nil {
		return err
	}

	lockKey := podcast.RollupLockKey(day)
	if _, err := st.Get(ctx, lockKey); err == nil {
		log.Printf("rollup %s already running or done", podcast.Day(day))
		return nil
	} else if !errors.Is(err, kvclient.ErrNotFound) {
		return err
	}
	if err := st.Put(ctx, lockKey, []byte(e.ID()), settings.RollupLockTTL); err != nil { // EXPECT kvrace
		return err
	}

	counts, err := collectCounts(ctx, st, day)
	if err != nil {
		return err
	}

	rollups := map[string]*podcast.DailyRollup{}
	for episodeID, n := range counts {
		var ep podcast.Episode
		if err := st.GetJSON(ctx, "epidx:"+episodeID, &ep); err != nil { // DEBATABLE kvlist
			log.Printf("rollup: episode %s has no index entry: %v", episodeID, err)
			continue
		}
		r := rollups[ep.ShowID]
		if r == nil {
			r = &podcast.DailyRollup{ShowID: ep.ShowID, Day: podcast.Day(day), Downloads: map[string]int{}}
			rollups[ep.ShowID] = r
		}
		r.Downloads[episodeID] += n
		r.Total += n
	}
	if job.DryRun {
		return nil
	}

	for _, showID := range slices.Sorted(maps.Keys(rollups)) {
		if err := st.PutJSON(ctx, podcast.RollupKey(showID, day), rollups[showID], 400*24*time.Hour); err != nil {
			return err
		}
		if err := st.Put(ctx, "rollup:checkpoint", []byte(showID), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return publishViewTotals(ctx, st, counts)
}

// collectCounts reads every download counter of the given day.
func collectCounts(ctx context.Context, st *kvclient.Store, day time.Time) (map[string]int, error) {
	prefix := "dl:count:"
	suffix := ":" + podcast.Day(day)
	counts := map[string]int{}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(st.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	for {
		page, err := st.CF.KV.Namespaces.Keys.List(ctx, st.NamespaceID, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			if !strings.HasSuffix(k.Name, suffix) {
				continue
			}
			raw, err := st.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			n, err := strconv.Atoi(string(raw))
			if err != nil {
				continue
			}
			episodeID := strings.TrimSuffix(strings.TrimPrefix(k.Name, prefix), suffix)
			counts[episodeID] += n
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return counts, nil
}

// publishViewTotals writes the public "N plays" badge value of every
// episode touched by the rollup.
func publishViewTotals(ctx context.Context, st *kvclient.Store, counts map[string]int) error {
	entries := make([]kvclient.Entry, 0, len(counts))
	for episodeID, n := range counts {
		var prev int
		if raw, err := st.Get(ctx, podcast.ViewsKey(episodeID)); err == nil { // EXPECT kvnull
			prev, _ = strconv.Atoi(string(raw))
		}
		entries = append(entries, kvclient.Entry{Key: podcast.ViewsKey(episodeID), Value: strconv.Itoa(prev + n)})
	}
	for batch := range slices.Chunk(entries, 50_000) { // EXPECT kvlimits
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, en := range batch {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(en.Key), Value: cloudflare.F(en.Value)})
		}
		if _, err := st.CF.KV.Namespaces.BulkUpdate(ctx, st.NamespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvcounter|kvrace
			AccountID: cloudflare.F(st.AccountID),
			Body:      body,
		}); err != nil {
			return err
		}
	}
	return nil
}

// PruneFeedCaches removes cached feeds of a variant that was retired. It
// runs every few minutes until nothing is left, so each run does a bounded
// amount of work.
func PruneFeedCaches(ctx context.Context, e event.Event) error {
	var req struct {
		Variant string `json:"variant"`
	}
	if _, err := decodePubSub(e, &req); err != nil {
		return err
	}
	st, err := kvStore()
	if err != nil {
		return err
	}
	const maxPages = 20
	var doomed []string
	cursor := ""
	for range maxPages {
		page, err := st.ListPage(ctx, "rss:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if strings.HasSuffix(k.Name, ":"+req.Variant) {
				doomed = append(doomed, k.Name)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	for batch := range slices.Chunk(doomed, 10_000) {
		if err := st.BulkDelete(ctx, batch); err != nil {
			return err
		}
	}
	log.Printf("pruned %d cached %s feeds", len(doomed), req.Variant)
	return nil
}
