// Package analytics records episode downloads and publishes the aggregated
// figures creators see in their dashboard.
package analytics

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/ibex/internal/kvstore"
)

var timeNow = time.Now

// Download is one counted request for an episode's audio.
type Download struct {
	EpisodeID string
	ShowID    string
	At        time.Time
	IPHash    string
	UserAgent string
}

// Recorder writes per-episode download tallies. It uses the SDK directly
// because the namespace differs per network: large networks have their
// analytics isolated in their own namespace.
type Recorder struct {
	api      *cloudflare.API
	rc       *cloudflare.ResourceContainer
	byTenant map[string]string
	fallback string
}

// NewRecorder returns a Recorder.
func NewRecorder(api *cloudflare.API, accountID, fallbackNS string, byTenant map[string]string) *Recorder {
	return &Recorder{api: api, rc: cloudflare.AccountIdentifier(accountID), byTenant: byTenant, fallback: fallbackNS}
}

func (r *Recorder) namespace(ctx context.Context) string {
	if ns, ok := r.byTenant[kvstore.Tenant(ctx)]; ok {
		return ns
	}
	return r.fallback
}

func dayKey(prefix, id string, t time.Time) string {
	return prefix + id + ":" + t.UTC().Format(time.DateOnly)
}

// RecordDownload adds one to the episode's tally for the day.
func (r *Recorder) RecordDownload(ctx context.Context, d Download) error {
	ns := r.namespace(ctx)
	key := dayKey("downloads:", d.EpisodeID, d.At)
	raw, err := r.api.GetWorkersKV(ctx, r.rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key})
	n := 0
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("analytics: corrupt tally %q: %w", key, err)
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	_, err = r.api.WriteWorkersKVEntry(ctx, r.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: []byte(strconv.Itoa(n + 1))}) // EXPECT kvcounter
	return err
}

// Total returns the published all-time total for an episode, as written by
// the nightly rollup.
func (r *Recorder) Total(ctx context.Context, episodeID string) (int64, error) {
	raw, _ := r.api.GetWorkersKV(ctx, r.rc, cloudflare.GetWorkersKVParams{NamespaceID: r.namespace(ctx), Key: "total:" + episodeID}) // EXPECT kvnull
	n, _ := strconv.ParseInt(string(raw), 10, 64)
	return n, nil
}
