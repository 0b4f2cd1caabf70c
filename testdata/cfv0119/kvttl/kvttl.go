// Package kvttl holds kvttl's cases for github.com/cloudflare/cloudflare-go
// v0.119: TTLs travel in the pairs of a bulk write.
package kvttl

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

type entry struct{ Key, Value string }

// A pair literal in the call.
func literalPairs(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string) error {
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs: []*cloudflare.WorkersKVPair{
			{Key: "a", Value: "1", ExpirationTTL: 30}, // want `ExpirationTTL 30 is below KV's 60-second minimum`
			{Key: "b", Value: "2", ExpirationTTL: 120},
		},
	})
	return err
}

// Pairs built in a loop, then wrapped in the params struct.
func loopPairs(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, entries []entry) error {
	var pairs []*cloudflare.WorkersKVPair
	for _, e := range entries {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           e.Key,
			Value:         e.Value,
			ExpirationTTL: 10, // want `ExpirationTTL 10 is below`
		})
	}
	params := cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns}
	params.KVs = pairs
	_, err := api.WriteWorkersKVEntries(ctx, rc, params)
	return err
}

// Pairs filled field by field after allocation.
func fieldByField(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, entries []entry) error {
	pairs := make([]*cloudflare.WorkersKVPair, len(entries))
	for i, e := range entries {
		p := &cloudflare.WorkersKVPair{Key: e.Key, Value: e.Value}
		p.Expiration = int(time.Now().Add(15 * time.Second).Unix()) // want `Expiration is time.Now\(\) plus 15s`
		pairs[i] = p
	}
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs})
	return err
}

// Correct: a day, and an absolute expiration an hour ahead.
func correct(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, ttl time.Duration) error {
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs: []*cloudflare.WorkersKVPair{
			{Key: "a", Value: "1", ExpirationTTL: 24 * 60 * 60},
			{Key: "b", Value: "2", Expiration: int(time.Now().Add(time.Hour).Unix())},
			{Key: "c", Value: "3", ExpirationTTL: int(ttl.Seconds())},
		},
	})
	return err
}

// Unit mistake in a pair.
func durationPair(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, ttl time.Duration) error {
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs:         []*cloudflare.WorkersKVPair{{Key: "a", Value: "1", ExpirationTTL: int(ttl)}}, // want `converts a time.Duration to nanoseconds`
	})
	return err
}

// Single-key writes and reads carry no TTL in this SDK: nothing to report.
func single(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string) error {
	if _, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "k", Value: []byte("v")}); err != nil {
		return err
	}
	_, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: "k"})
	return err
}

// Pairs handed to a helper that writes them, and a batch that a closure
// flushes: the pairs are the callers'.
func putPair(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, pair *cloudflare.WorkersKVPair) error {
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: "ns", KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}

func helperPairs(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer) {
	_ = putPair(ctx, api, rc, &cloudflare.WorkersKVPair{Key: "a", Value: "1", ExpirationTTL: 30})             // want `ExpirationTTL 30 \(passed to putPair\) is below`
	_ = putPair(ctx, api, rc, &cloudflare.WorkersKVPair{Key: "b", Value: "1", ExpirationTTL: int(time.Hour)}) // want `converts a time.Duration to nanoseconds`
	_ = putPair(ctx, api, rc, &cloudflare.WorkersKVPair{Key: "c", Value: "1", ExpirationTTL: 3600})
}

func flushedBatch(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, entries []entry, ttl *time.Duration) error {
	var batch []*cloudflare.WorkersKVPair
	flush := func() error {
		_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: "ns", KVs: batch})
		batch = batch[:0]
		return err
	}
	for _, e := range entries {
		p := &cloudflare.WorkersKVPair{Key: e.Key, Value: e.Value}
		if *ttl > 0 {
			p.ExpirationTTL = int(*ttl) // want `converts a time.Duration to nanoseconds`
		}
		batch = append(batch, p)
	}
	return flush()
}

// Pairs filled in by goroutines, and pairs sent in chunks by goroutines of
// a helper.
func probed(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, names []string) error {
	results := make([]*cloudflare.WorkersKVPair, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			results[i] = &cloudflare.WorkersKVPair{Key: name, Value: "up", ExpirationTTL: 45} // want `ExpirationTTL 45 is below`
		})
	}
	wg.Wait()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: "ns", KVs: results})
	return err
}

func writeParallel(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, pairs []*cloudflare.WorkersKVPair) {
	var wg sync.WaitGroup
	for chunk := range slices.Chunk(pairs, 1000) {
		wg.Add(1)
		go func(kvs []*cloudflare.WorkersKVPair) {
			defer wg.Done()
			_, _ = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: "ns", KVs: kvs})
		}(chunk)
	}
	wg.Wait()
}

func warm(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, entries []entry, ttl time.Duration) {
	var pairs []*cloudflare.WorkersKVPair
	for _, e := range entries {
		pair := new(cloudflare.WorkersKVPair)
		pair.Key, pair.Value = e.Key, e.Value
		pair.ExpirationTTL = int(ttl / time.Millisecond) // want `converts a time.Duration to milliseconds`
		pairs = append(pairs, pair)
	}
	writeParallel(ctx, api, rc, pairs)
	writeParallel(ctx, api, rc, []*cloudflare.WorkersKVPair{{Key: "a", Value: "1", ExpirationTTL: int(ttl / time.Second)}})
}

// An absolute expiration made in milliseconds in a variable first: where
// it is made.
func notified(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, id string) error {
	exp := int(time.Now().Add(time.Hour).UnixMilli()) // want `Expiration is in seconds since the Unix epoch, but this is a Unix time in ms`
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: []*cloudflare.WorkersKVPair{{Key: "sla/notified/" + id, Value: "1", Expiration: exp}}})
	return err
}
