//go:build js && wasm

package downloads

import (
	"context"
	"fmt"
	"log"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"

	"tanager/internal/keys"
	"tanager/internal/queue"
)

// hourOpts keeps hourly buckets for 45 days; the daily rollup reads them.
var hourOpts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: 45 * 24 * 3600}

// seenOpts bounds the dedupe window to the queue's retention.
var seenOpts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: 4 * 24 * 3600}

// botAgents are user agents the IAB list treats as non-listeners.
var botAgents = []string{"bot", "crawler", "spider", "curl/", "python-requests", "Go-http-client"}

// ConsumeBatch aggregates a batch of download events into hourly buckets and
// per-episode totals.
func ConsumeBatch(ctx context.Context, b *queue.Batch) error {
	stats, err := cloudflare.NewKVNamespace("STATS")
	if err != nil {
		return err
	}
	counts := map[string]int{}
	var hour time.Time
	for _, m := range b.Messages {
		ev, err := decode(m.Body)
		if err != nil {
			log.Printf("downloads: drop message %s: %v", m.ID, err)
			m.Ack()
			continue
		}
		if isBot(ev.UserAgent) {
			m.Ack()
			continue
		}
		seen, err := stats.GetString(keys.DownloadSeen(m.ID), nil)
		if err != nil {
			m.Retry()
			continue
		}
		if seen != "<null>" {
			m.Ack()
			continue
		}
		if err := stats.PutString(keys.DownloadSeen(m.ID), ev.EpisodeID, seenOpts); err != nil { // DEBATABLE kvrace
			m.Retry()
			continue
		}
		counts[ev.EpisodeID]++
		hour = ev.At.Truncate(time.Hour)
		if err := stats.PutString(keys.ConsumerCheckpoint, m.ID, nil); err != nil { // EXPECT kvhotkey
			log.Printf("downloads: checkpoint: %v", err)
		}
	}
	if len(counts) == 0 {
		return nil
	}
	episodes := slices.Sorted(maps.Keys(counts))
	for _, ep := range episodes {
		if err := stats.PutString(keys.DownloadHour(ep, hour), strconv.Itoa(counts[ep]), hourOpts); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return addTotals(stats, counts)
}

// addTotals folds the batch into the all-time totals, one goroutine per
// episode.
func addTotals(stats *cloudflare.KVNamespace, counts map[string]int) error {
	errs := make(chan error, len(counts))
	var wg sync.WaitGroup
	for ep, n := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- addTotal(stats, ep, n)
		}()
	}
	wg.Wait()
	close(errs)
	var failed []string
	for err := range errs {
		if err != nil {
			failed = append(failed, err.Error())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("downloads: totals: %s", strings.Join(failed, "; "))
	}
	return nil
}

func addTotal(stats *cloudflare.KVNamespace, episodeID string, n int) error {
	key := keys.DownloadTotal(episodeID)
	raw, err := stats.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	total, _ := strconv.Atoi(raw)
	return stats.PutString(key, strconv.Itoa(total+n), nil) // EXPECT kvcounter|kvrace
}

func isBot(ua string) bool {
	ua = strings.ToLower(ua)
	for _, b := range botAgents {
		if strings.Contains(ua, strings.ToLower(b)) {
			return true
		}
	}
	return ua == ""
}
