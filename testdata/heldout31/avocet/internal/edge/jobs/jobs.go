//go:build js && wasm

// Package jobs holds the Worker's scheduled and queue handlers.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/avocet/internal/auth"
	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/edge/kvstore"
	"example.com/avocet/internal/httpx"
	"example.com/avocet/internal/ops"
	"example.com/avocet/internal/ports"
	"example.com/avocet/internal/repo"
)

type Jobs struct {
	Store        *kvstore.Adapter
	Exec         ops.Exec
	Log          *slog.Logger
	Now          func() time.Time
	Tokens       ports.TokenCache
	IngestURL    string
	TokenURL     string
	ClientSecret string
}

// Scheduled dispatches on the cron expression that fired.
func (j *Jobs) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	j.Log.Info("cron", "expr", ev.Cron, "at", ev.ScheduledTime)
	switch ev.Cron {
	case "0 * * * *":
		err = j.trendingSnapshot(ctx)
	case "30 3 * * *":
		err = j.dropOrphanPreviews(ctx)
	default:
		return fmt.Errorf("jobs: no task for %q", ev.Cron)
	}
	if err != nil {
		return err
	}
	// One write per trigger: the status page shows when each task last ran.
	return j.Exec.Do(ctx, ops.Put("cron:last:"+ev.Cron, []byte(ev.ScheduledTime.Format(time.RFC3339)), 0))
}

// Trending is the hourly ranking of candidate episodes by downloads.
type Trending struct {
	At     time.Time        `json:"at"`
	Totals map[string]int64 `json:"totals"`
}

func (j *Jobs) trendingSnapshot(ctx context.Context) error {
	raw, err := j.Store.Text("trending:candidates")
	if err != nil || kvstore.Missing(raw) {
		return err
	}
	snap := Trending{At: j.Now().UTC(), Totals: map[string]int64{}}
	for _, ep := range strings.Fields(raw)[:min(len(strings.Fields(raw)), 50)] {
		v, err := j.Store.Namespace().GetString("rollup:"+ep+":total", nil) // EXPECT kvnull
		if err != nil {
			return err
		}
		snap.Totals[ep], _ = strconv.ParseInt(v, 10, 64)
	}
	return repo.NewNamed[Trending](j.Exec, repo.WithTTL(2*time.Hour)).Save(ctx, "hourly", snap)
}

// dropOrphanPreviews removes preview feed renders of shows the backend has
// listed as deleted.
func (j *Jobs) dropOrphanPreviews(ctx context.Context) error {
	ns := j.Store.Namespace()
	raw, err := j.Store.Text("shows:deleted")
	if err != nil || kvstore.Missing(raw) {
		return err
	}
	deleted := map[string]bool{}
	for _, id := range strings.Fields(raw) {
		deleted[id] = true
	}
	const prefix = "feedcache:preview:"
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil || len(res.Keys) == 0 {
			return err
		}
		for _, k := range res.Keys {
			if deleted[strings.TrimPrefix(k.Name, prefix)] {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		cursor = res.Cursor
	}
}

// Consume forwards download events to the backend, which owns the totals.
func (j *Jobs) Consume(batch *queues.MessageBatch) error {
	ns := j.Store.Namespace()
	events := make([]domain.DownloadEvent, 0, len(batch.Messages))
	latest := map[string]int64{}
	for _, msg := range batch.Messages {
		var ev domain.DownloadEvent
		body, err := msg.StringBody()
		if err == nil {
			err = json.Unmarshal([]byte(body), &ev)
		}
		if err != nil {
			msg.Ack() // not ours; drop it
			continue
		}
		events = append(events, ev)
		latest[ev.Episode] = max(latest[ev.Episode], ev.At)
		if err := ns.PutString("stats:last-download", body, nil); err != nil { // EXPECT kvhotkey
			j.Log.Warn("last download", "err", err)
		}
	}
	if err := j.forward(context.Background(), events); err != nil {
		batch.RetryAll()
		return nil
	}
	for ep, at := range latest {
		if err := ns.PutString("recent:"+ep, strconv.FormatInt(at, 10), &kv.PutOptions{ExpirationTTL: 7 * 86400}); err != nil {
			j.Log.Warn("recent download", "episode", ep, "err", err)
		}
	}
	batch.AckAll()
	return nil
}

// ingestToken returns the ingest API's client-credentials token, cached.
func (j *Jobs) ingestToken(ctx context.Context) (string, error) {
	if tok, ok, err := j.Tokens.Get(ctx, "ingest"); err == nil && ok {
		return tok, nil
	}
	tr, err := auth.ClientCredentials(ctx, http.DefaultClient, j.TokenURL, "avocet-edge", j.ClientSecret, "ingest")
	if err != nil {
		return "", err
	}
	return tr.AccessToken, j.Tokens.Put(ctx, "ingest", tr.AccessToken, tr.Lifetime()-10*time.Second)
}

func (j *Jobs) forward(ctx context.Context, events []domain.DownloadEvent) error {
	if len(events) == 0 {
		return nil
	}
	tok, err := j.ingestToken(ctx)
	if err != nil {
		return err
	}
	_, err = httpx.Do(ctx, http.DefaultClient, http.MethodPost, j.IngestURL, httpx.JSON(events),
		"Content-Type", "application/json", "Authorization", "Bearer "+tok)
	return err
}
