package analytics

import (
	"context"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/lattice/internal/conf"
)

// EpisodeTotal is one row of the rollup report.
type EpisodeTotal struct {
	Episode conf.EpisodeID
	Key     string
}

// PublishedEpisodes lists every episode that has a published total, for the
// monthly report sent to sponsors.
func (r *Recorder) PublishedEpisodes(ctx context.Context) ([]EpisodeTotal, error) {
	pager := r.t.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, r.t.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(r.t.AccountID),
		Prefix:    cloudflare.F("dl:total:"),
	})
	var out []EpisodeTotal
	for pager.Next() {
		k := pager.Current()
		out = append(out, EpisodeTotal{Episode: conf.EpisodeID(strings.TrimPrefix(k.Name, "dl:total:")), Key: k.Name})
	}
	return out, pager.Err()
}

// RecentEpisodes returns at most limit episodes with a published total, for
// the dashboard sparkline.
func (r *Recorder) RecentEpisodes(ctx context.Context, limit int) ([]conf.EpisodeID, error) {
	pager := r.t.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, r.t.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.t.AccountID),
		Prefix:    cloudflare.F("dl:total:"),
		Limit:     cloudflare.F(100.0),
	})
	var out []conf.EpisodeID
	for len(out) < limit && pager.Next() {
		out = append(out, conf.EpisodeID(strings.TrimPrefix(pager.Current().Name, "dl:total:")))
	}
	return out, pager.Err()
}
