//go:build js && wasm

// Package sweeper holds the cron jobs that walk the main namespace
// directly: hold reconciliation, event pruning and the nightly export.
package sweeper

import (
	"context"
	"encoding/csv"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/orchard/internal/platform/kvio"
)

// Sweeper walks the main namespace.
type Sweeper struct {
	ns       *kv.Namespace
	maxPages int
}

// New returns a Sweeper over ns that reads at most maxPages pages per walk
// where a walk can be resumed.
func New(ns *kv.Namespace, maxPages int) *Sweeper { return &Sweeper{ns: ns, maxPages: maxPages} }

// ReconcileHolds releases holds whose order was cancelled.
func (s *Sweeper) ReconcileHolds(ctx context.Context, log *slog.Logger) error {
	var cancelled map[string]bool
	if _, err := kvio.GetGob(s.ns, "orders:cancelled:"+time.Now().UTC().Format("2006-01-02"), &cancelled); err != nil {
		return err
	}
	cursor := ""
	released := 0
	for {
		res, err := s.ns.List(&kv.ListOptions{Prefix: "hold:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			orderID := strings.TrimPrefix(k.Name, "hold:")
			if cancelled[orderID] {
				if err := s.ns.Delete(k.Name); err != nil {
					return err
				}
				released++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	log.InfoContext(ctx, "holds reconciled", "released", released)
	return nil
}

// PruneEvents deletes raw order events older than the retention, a few
// pages per run; the key expiry catches whatever is left.
func (s *Sweeper) PruneEvents(ctx context.Context, log *slog.Logger) error {
	cutoff := time.Now().Add(-6 * time.Hour).Unix()
	cursor := ""
	pruned := 0
	for page := 0; page < s.maxPages; page++ {
		res, err := s.ns.List(&kv.ListOptions{Prefix: "order-event:", Cursor: cursor, Limit: 500}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && int64(k.Expiration)-86400 < cutoff {
				if err := s.ns.Delete(k.Name); err != nil {
					return err
				}
				pruned++
			}
		}
		cursor = res.Cursor
	}
	log.InfoContext(ctx, "events pruned", "count", pruned)
	return nil
}

// ExportHolds writes the nightly CSV of open holds the farms download.
func (s *Sweeper) ExportHolds(ctx context.Context, log *slog.Logger) error {
	w := kvio.NewWriter(s.ns, "export:holds:"+time.Now().UTC().Format("2006-01-02"), 14*24*time.Hour)
	out := csv.NewWriter(w)
	_ = out.Write([]string{"order", "expires"})
	cursor := ""
	rows := 0
	for range s.maxPages {
		res, err := s.ns.List(&kv.ListOptions{
			Prefix: "hold:",
			Cursor: cursor,
			Limit:  5000, // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			_ = out.Write([]string{strings.TrimPrefix(k.Name, "hold:"), strconv.Itoa(k.Expiration)})
			rows++
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	out.Flush()
	if err := out.Error(); err != nil {
		return err
	}
	log.InfoContext(ctx, "holds exported", "rows", rows)
	return w.Close()
}
