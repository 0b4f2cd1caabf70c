package archive

import (
	"context"
	"fmt"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Keys returns up to maxPages pages of key names under prefix.
func (a *Archiver) Keys(ctx context.Context, prefix string, maxPages int) ([]string, error) {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: a.ns, Prefix: prefix, Limit: 1000}
	var names []string
	for page := 0; page < maxPages; page++ {
		resp, err := a.api.ListWorkersKVKeys(ctx, a.rc, params)
		if err != nil {
			return names, err
		}
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if resp.Cursor == "" {
			return names, nil
		}
		params.Cursor = resp.Cursor
	}
	return names, fmt.Errorf("archive: more than %d pages under %q", maxPages, prefix)
}

// Holds returns the legal-hold markers, following the cursor.
func (a *Archiver) Holds(ctx context.Context) ([]string, error) {
	var names []string
	resp, err := a.api.ListWorkersKVKeys(ctx, a.rc, cloudflare.ListWorkersKVsParams{NamespaceID: a.ns, Prefix: "hold:", Limit: 1000})
	for page := 0; err == nil && page < 20; page++ {
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if resp.Cursor == "" {
			return names, nil
		}
		resp, err = a.api.ListWorkersKVKeys(ctx, a.rc, cloudflare.ListWorkersKVsParams{NamespaceID: a.ns, Cursor: resp.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	return names, err
}

// Probe checks that the namespace is reachable with the smallest listing.
func (a *Archiver) Probe(ctx context.Context) error {
	_, err := a.api.ListWorkersKVKeys(ctx, a.rc, cloudflare.ListWorkersKVsParams{NamespaceID: a.ns, Limit: 5}) // EXPECT kvlimits
	return err
}

// Freeze marks records as frozen for the retention window of a legal
// hold, in batches the bulk endpoint accepts.
func (a *Archiver) Freeze(ctx context.Context, keys []string, hold time.Duration) error {
	until := time.Now().Add(hold)
	for start := 0; start < len(keys); start += 10000 {
		end := min(start+10000, len(keys))
		pairs := make([]*cloudflare.WorkersKVPair, 0, end-start)
		for _, k := range keys[start:end] {
			pairs = append(pairs, &cloudflare.WorkersKVPair{
				Key:        "hold:" + k,
				Value:      until.UTC().Format(time.RFC3339),
				Expiration: int(until.Unix()),
			})
		}
		if _, err := a.api.WriteWorkersKVEntries(ctx, a.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: a.ns, KVs: pairs}); err != nil {
			return err
		}
	}
	return nil
}

// Hold places a single record under legal hold until the given time.
func (a *Archiver) Hold(ctx context.Context, key string, until time.Time) error {
	_, err := a.api.WriteWorkersKVEntries(ctx, a.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: a.ns, KVs: []*cloudflare.WorkersKVPair{{Key: "hold:" + key, Value: until.UTC().Format(time.RFC3339), Expiration: int(until.UnixMilli())}}}) // EXPECT kvttl
	return err
}

// Stage writes short-lived staging copies for the restore tool.
func (a *Archiver) Stage(ctx context.Context, records map[string]string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(records))
	for k, v := range records {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: "stage:" + k, Value: v, ExpirationTTL: 86400})
	}
	_, err := a.api.WriteWorkersKVEntries(ctx, a.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: a.ns, KVs: pairs})
	return err
}

// shelfSlots is the number of positions in the archive cold room.
const shelfSlots = 12000

// InitShelves creates an empty record for every shelf position.
func (a *Archiver) InitShelves(ctx context.Context) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, shelfSlots)
	for i := 0; i < shelfSlots; i++ {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: "shelf:" + strconv.Itoa(i), Value: "{}"})
	}
	_, err := a.api.WriteWorkersKVEntries(ctx, a.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: a.ns, KVs: pairs}) // EXPECT kvlimits
	return err
}
