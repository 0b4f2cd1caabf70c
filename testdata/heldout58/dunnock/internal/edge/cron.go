//go:build js && wasm

package edge

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

// Scheduled is the cron entry point: it refreshes feeds and sweeps stale
// page renders.
func (w *Worker) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/10 * * * *":
		return w.refreshFeeds(ctx, ev.ScheduledTime)
	case "0 4 * * *":
		return w.sweepPages(ctx)
	case "30 4 * * *":
		return w.auditPages(ctx)
	}
	return nil
}

// refreshFeeds re-renders the feeds of the shows listed in config/shows.
func (w *Worker) refreshFeeds(ctx context.Context, at time.Time) error {
	list, err := w.feeds.GetString("config/shows", nil)
	if err != nil {
		return err
	}
	if missing(list) {
		return nil
	}
	var shows []string
	for line := range strings.Lines(list) {
		if s := strings.TrimSpace(line); s != "" && !strings.HasPrefix(s, "#") {
			shows = append(shows, s)
		}
	}

	var wg sync.WaitGroup
	errs := make([]error, len(shows))
	for i, show := range slices.All(shows) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = safely(func() error {
				xml, err := w.render(ctx, show)
				if err != nil {
					return err
				}
				if err := w.feeds.PutString("feed/"+show, xml, &kv.PutOptions{ExpirationTTL: int(20 * time.Minute)}); err != nil { // EXPECT kvttl
					return err
				}
				return w.feeds.PutString("cron/last-show", show, nil) // EXPECT kvhotkey
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			log.Printf("refresh %s: %v", shows[i], err)
		}
	}
	return put(w.feeds, entry{"cron/refreshed-at", at.UTC().Format(time.RFC3339), 0})
}

func (w *Worker) render(ctx context.Context, show string) (string, error) {
	var lastErr error
	for attempt := range 3 {
		xml, err := w.renderOnce(ctx, show)
		if err == nil {
			return xml, nil
		}
		lastErr = err
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
	return "", lastErr
}

func (w *Worker) renderOnce(ctx context.Context, show string) (string, error) {
	req, err := newOriginRequest(ctx, w.origin+"/internal/feeds/"+show)
	if err != nil {
		return "", err
	}
	resp, err := w.httpClient().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("origin: %s", resp.Status)
	}
	var sb strings.Builder
	_, err = io.Copy(&sb, resp.Body)
	return sb.String(), err
}

// sweepPages deletes page renders whose episode was unpublished.
func (w *Worker) sweepPages(ctx context.Context) error {
	opts := &kv.ListOptions{Prefix: "page/"}
	for {
		res, err := w.feeds.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				if err := w.feeds.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		opts.Cursor = res.Cursor
	}
}

// auditPages counts page renders without an expiry, at most 20 pages per run,
// and records where it stopped.
func (w *Worker) auditPages(ctx context.Context) error {
	cursor, err := w.feeds.GetString("cron/audit-cursor", nil)
	if err != nil {
		return err
	}
	if missing(cursor) {
		cursor = ""
	}
	stale := 0
	for range 20 {
		res, err := w.feeds.List(&kv.ListOptions{Prefix: "page/", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				stale++
			}
		}
		cursor = res.Cursor
		if res.ListComplete {
			cursor = ""
			break
		}
		if ctx.Err() != nil {
			break
		}
	}
	log.Printf("audit: %d page renders without expiry", stale)
	return putFor(w.feeds, "cron/audit-cursor", cursor, 2*time.Hour)
}

func newOriginRequest(ctx context.Context, url string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "dunnock-edge/1")
	return req, nil
}
