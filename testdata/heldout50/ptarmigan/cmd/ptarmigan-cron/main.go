// Command ptarmigan-cron runs the backend's periodic tasks, one -task per
// invocation.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"ptarmigan/internal/analytics"
	"ptarmigan/internal/catalog"
	"ptarmigan/internal/config"
	"ptarmigan/internal/kinds"
	"ptarmigan/internal/kvstore"
	"ptarmigan/internal/publishing"
)

type job struct {
	cfg    config.Config
	client *cloudflare.Client
	root   kvstore.Scope
}

func main() {
	task := flag.String("task", "", "trending, charts, directory, removed, listings, warm, sweep, usage or audit")
	clickhouse := flag.String("clickhouse", os.Getenv("CLICKHOUSE_URL"), "ClickHouse HTTP endpoint")
	cfg, err := config.Load(flag.CommandLine, os.Args[1:])
	if err != nil {
		slog.Error("config", "err", err)
		os.Exit(2)
	}
	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken))
	j := &job{cfg: cfg, client: client, root: kvstore.Open(client, cfg.AccountID, cfg.NamespaceID)}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()

	switch *task {
	case "trending":
		t := analytics.NewTrending(j.root, *clickhouse, cfg.TrendingWindow)
		var rows []analytics.TrendingEpisode
		if rows, err = t.Compute(ctx); err == nil {
			err = t.Store(ctx, rows)
		}
	case "charts":
		var charts json.RawMessage
		if err = j.fetch(ctx, "/export/charts", &charts); err == nil {
			err = j.root.Put(ctx, kinds.Charts.Key(), charts, kinds.Charts.TTL()) // EXPECT kvlimits
		}
	case "directory":
		var shows json.RawMessage
		if err = j.fetch(ctx, "/export/directory", &shows); err == nil {
			err = j.root.Scope(kinds.Directory.Prefix()).Put(ctx, "all", shows, 4*kinds.Directory.TTL())
		}
	case "removed":
		var ids []string
		if err = j.fetch(ctx, "/export/removed-episodes?hours=24", &ids); err == nil {
			err = j.root.Put(ctx, "removed-episodes", []byte(strings.Join(ids, "\n")), 25*time.Hour)
		}
	case "listings":
		var byShow map[string][]catalog.EpisodeSummary
		if err = j.fetch(ctx, "/export/listings", &byShow); err == nil {
			err = catalog.NewListings(j.root, cfg).Rebuild(ctx, byShow)
		}
	case "warm":
		var docs []publishing.EpisodeDoc
		if err = j.fetch(ctx, "/export/episodes", &docs); err == nil {
			err = j.warmEpisodes(ctx, docs)
		}
	case "sweep":
		var live []string
		if err = j.fetch(ctx, "/export/show-ids", &live); err == nil {
			err = j.sweepListings(ctx, live)
		}
	case "usage":
		var usage map[string]int64
		if err = j.fetch(ctx, "/export/storage-usage", &usage); err == nil {
			err = analytics.UsageReport(ctx, j.root, usage)
		}
	case "audit":
		err = j.auditTokens(ctx, 50_000)
	default:
		err = fmt.Errorf("unknown task %q", *task)
	}
	if err != nil {
		slog.Error("task failed", "task", *task, "err", err)
		os.Exit(1)
	}
}

func (j *job) fetch(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.cfg.OriginURL+path, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(into)
}

// warmEpisodes writes the document of every public episode.
func (j *job) warmEpisodes(ctx context.Context, docs []publishing.EpisodeDoc) error {
	scope := j.root.Scope(kinds.Episode.Prefix())
	entries := make([]kvstore.Entry, 0, len(docs))
	for _, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{Name: d.Key(), Value: b, TTL: d.TTL()})
	}
	for start := 0; start < len(entries); start += 20_000 {
		if err := scope.BulkPut(ctx, entries[start:min(start+20_000, len(entries))]); err != nil { // EXPECT kvlimits
			return err
		}
	}
	return nil
}

// sweepListings removes listings of shows that no longer exist.
func (j *job) sweepListings(ctx context.Context, live []string) error {
	alive := make(map[string]bool, len(live))
	for _, id := range live {
		alive[id] = true
	}
	listings := j.root.Scope(kinds.ShowListing.Prefix())
	iter := j.client.KV.Namespaces.Keys.ListAutoPaging(ctx, j.cfg.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(j.cfg.AccountID),
		Prefix:    cloudflare.F(listings.Prefix()),
	})
	var orphans []string
	for iter.Next() {
		name := listings.Name(iter.Current().Name)
		if show, _, _ := strings.Cut(name, ":"); !alive[show] {
			orphans = append(orphans, name)
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	for start := 0; start < len(orphans); start += 10_000 {
		if err := listings.BulkDelete(ctx, orphans[start:min(start+10_000, len(orphans))]); err != nil {
			return err
		}
	}
	return nil
}

// auditTokens logs how many private-feed tokens expire within a week,
// looking at no more than maxKeys keys.
func (j *job) auditTokens(ctx context.Context, maxKeys int) error {
	iter := j.client.KV.Namespaces.Keys.ListAutoPaging(ctx, j.cfg.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.cfg.AccountID),
		Prefix:    cloudflare.F(j.root.Scope("feed-token").Prefix()),
		Limit:     cloudflare.F(float64(j.cfg.ListPageSize)),
	})
	soon := float64(time.Now().Add(7 * 24 * time.Hour).Unix())
	seen, expiring := 0, 0
	for seen < maxKeys && iter.Next() {
		seen++
		if exp := iter.Current().Expiration; exp > 0 && exp < soon {
			expiring++
		}
	}
	slog.Info("audit: private-feed tokens", "seen", seen, "expiring", expiring, "truncated", seen == maxKeys)
	return iter.Err()
}
