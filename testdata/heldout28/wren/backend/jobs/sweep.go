package jobs

import (
	"context"
	"errors"
	"strings"
	"time"

	"example.com/wren/backend/ports"
)

// CountStaleIndex counts index entries of sessions the worker has already expired, for the hygiene dashboard.
func (r *Runner) CountStaleIndex(ctx context.Context, alive func(string) bool) (int, error) {
	stale := 0
	cursor := ""
	for {
		ks, next, err := r.rest.ListKeys(ctx, "sessions", "session-index:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return stale, err
		}
		for _, k := range ks {
			if !alive(strings.TrimPrefix(k.Name, "session-index:")) {
				stale++
			}
		}
		if next == "" {
			return stale, nil
		}
		cursor = next
	}
}

// ArchiveSessionLogs moves finished session logs into the archive index.
func (r *Runner) ArchiveSessionLogs(ctx context.Context, archive func(ports.Key) error) error {
	const prefix = "session-log:"
	page, err := r.kv.List(ctx, prefix, "", 1000)
	for n := 0; err == nil; n++ {
		for _, k := range page.Keys {
			if aerr := archive(k); aerr != nil {
				return aerr
			}
		}
		if page.Complete || n+1 >= r.maxPages {
			return nil
		}
		page, err = r.kv.List(ctx, "", page.Cursor, 1000) // EXPECT kvlist
	}
	return err
}

// PurgeReleasedHolds deletes holds marked released in their metadata, within a page budget and the caller's deadline.
func (r *Runner) PurgeReleasedHolds(ctx context.Context) (int, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(30 * time.Second)
	}
	purged := 0
	cursor := ""
	for page := 0; page < r.maxPages && time.Now().Before(deadline); page++ {
		p, err := r.kv.List(ctx, "hold:", cursor, 500)
		if err != nil {
			return purged, err
		}
		for _, k := range p.Keys {
			if strings.Contains(string(k.Metadata), `"released"`) {
				if err := r.kv.Delete(ctx, k.Name); err != nil {
					return purged, err
				}
				purged++
			}
		}
		if p.Complete {
			break
		}
		cursor = p.Cursor
	}
	return purged, nil
}

// errRateLimited marks a 429 from the store.
var errRateLimited = errors.New("rate limited")

// PublishMaintenanceBanner writes the banner the app shows during planned
// maintenance, retrying with backoff when the store throttles.
func (r *Runner) PublishMaintenanceBanner(ctx context.Context, text string) error {
	backoff := time.Second
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = r.kv.Put(ctx, "banner:maintenance", []byte(text)) // DEBATABLE kvhotkey
		if err == nil || !strings.Contains(err.Error(), "429") {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff *= 2
	}
	return errors.Join(errRateLimited, err)
}
