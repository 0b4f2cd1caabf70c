//go:build js && wasm

// Package maintenance holds the cron-driven clean-up tasks of the worker.
// They talk to the binding directly because they only list and delete.
package maintenance

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Sweeper deletes leftovers that outlive their purpose.
type Sweeper struct {
	ns       *kv.Namespace
	log      *slog.Logger
	maxPages int
	now      func() time.Time
}

// New builds a sweeper.
func New(ns *kv.Namespace, log *slog.Logger, maxPages int) *Sweeper {
	return &Sweeper{ns: ns, log: log, maxPages: maxPages, now: time.Now}
}

// RunAll runs every clean-up step and logs how many keys each removed.
func (s *Sweeper) RunAll(ctx context.Context) error {
	for name, run := range map[string]func(context.Context) (int, error){
		"claims": s.Claims, "calendar-slots": s.CalendarSlots, "closed-accounts": s.ClosedAccounts,
	} {
		n, err := run(ctx)
		if err != nil {
			return fmt.Errorf("maintenance: %s: %w", name, err)
		}
		s.log.InfoContext(ctx, "swept", "task", name, "deleted", n)
	}
	return nil
}

// Claims deletes slot claims whose slot is in the past. The slot start is
// the last field of the key.
func (s *Sweeper) Claims(_ context.Context) (int, error) {
	cutoff := s.now().Add(-time.Hour).Unix()
	deleted := 0
	cursor := ""
	for {
		res, err := s.ns.List(&kv.ListOptions{Prefix: "claim:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		for _, k := range res.Keys {
			i := strings.LastIndexByte(k.Name, ':')
			start, err := strconv.ParseInt(k.Name[i+1:], 10, 64)
			if err != nil || start >= cutoff {
				continue
			}
			if err := s.ns.Delete(k.Name); err != nil {
				return deleted, err
			}
			deleted++
		}
		if res.ListComplete {
			return deleted, nil
		}
		cursor = res.Cursor
	}
}

// CalendarSlots removes slot-keyed calendar entries of days before
// yesterday that were written without an expiry by an early release.
func (s *Sweeper) CalendarSlots(_ context.Context) (int, error) {
	yesterday := s.now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	deleted := 0
	opts := &kv.ListOptions{Prefix: "calslot:", Limit: 500}
	for page := 0; page < s.maxPages; page++ {
		res, err := s.ns.List(opts) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		for _, k := range res.Keys {
			parts := strings.Split(k.Name, ":")
			if len(parts) == 5 && parts[3] < yesterday {
				if err := s.ns.Delete(k.Name); err != nil {
					return deleted, err
				}
				deleted++
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 500}
	}
	return deleted, nil
}

// ClosedAccounts removes the edge data of members whose account was
// closed; the backend marks those with a tombstone key.
func (s *Sweeper) ClosedAccounts(_ context.Context) (int, error) {
	deadline := s.now().Add(20 * time.Second)
	opts := &kv.ListOptions{Prefix: "closed-account:", Limit: 2000} // EXPECT kvlimits
	deleted := 0
	for page := 0; page < s.maxPages && s.now().Before(deadline); page++ {
		res, err := s.ns.List(opts)
		if err != nil {
			return deleted, err
		}
		for _, k := range res.Keys {
			member := strings.TrimPrefix(k.Name, "closed-account:")
			for _, key := range []string{"print-credits:" + member, "member:" + member, k.Name} {
				if err := s.ns.Delete(key); err != nil {
					return deleted, err
				}
				deleted++
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return deleted, nil
}
