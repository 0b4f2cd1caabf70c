//go:build js && wasm

package episodes

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"bittern/internal/jobs"
	"bittern/internal/kvctx"
)

func init() {
	jobs.Register("publish-due", publishDue)
}

const maxSchedulePages = 10

// publishDue releases scheduled episodes whose time has come. The release
// time is part of the key ("sched:<unix>:<show>:<episode>"), so keys sort by
// due time and no values need to be read.
func publishDue(ctx context.Context) error {
	s := kvctx.From(ctx)
	now := time.Now().Unix()
	opts := &kv.ListOptions{Prefix: "sched:", Limit: 200}
	for range maxSchedulePages {
		res, err := s.Page(ctx, opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			parts := strings.SplitN(k.Name, ":", 4)
			if len(parts) != 4 {
				continue
			}
			due, err := strconv.ParseInt(parts[1], 10, 64)
			if err != nil {
				continue
			}
			if due > now {
				return nil
			}
			if err := release(ctx, parts[2], parts[3]); err != nil {
				slog.ErrorContext(ctx, "episodes: release failed", "episode", parts[3], "err", err)
				continue
			}
			if err := s.Delete(ctx, k.Name); err != nil {
				return err
			}
			if err := s.Put(ctx, "status:last-release", parts[3], 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 200}
	}
	return nil
}

func release(ctx context.Context, showID, episodeID string) error {
	s := scoped(ctx, showID)
	ep, err := Get(ctx, episodeID)
	if err != nil {
		return err
	}
	if err := appendToIndex(ctx, s, ep); err != nil {
		return err
	}
	return s.Write(s.Key("released", episodeID)).String(time.Now().UTC().Format(time.RFC3339)).Do(ctx)
}
