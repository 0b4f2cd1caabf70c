//go:build js && wasm

package reservation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/saffron/internal/keys"
	"github.com/syumai/workers/cloudflare/kv"
)

// Sweeper clears holds whose seating time has passed, so the dashboard does
// not show stale claims while their expiry is still running.
type Sweeper struct {
	ns       func() (*kv.Namespace, error)
	maxPages int
}

// NewSweeper returns a sweeper over the holds namespace.
func NewSweeper(ns func() (*kv.Namespace, error), maxPages int) *Sweeper {
	return &Sweeper{ns: ns, maxPages: maxPages}
}

// SweepDay deletes started holds for one restaurant and day, within the
// page budget.
func (s *Sweeper) SweepDay(ctx context.Context, restaurant string, day time.Time) (int, error) {
	ns, err := s.ns()
	if err != nil {
		return 0, err
	}
	prefix := keys.HoldPrefix(restaurant, day)
	cursor := ""
	removed := 0
	var errs []error
	for page := 0; page < s.maxPages; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 500})
		if err != nil {
			return removed, err
		}
		for _, k := range res.Keys {
			if !started(k.Name) {
				continue
			}
			if err := ns.Delete(k.Name); err != nil {
				errs = append(errs, err)
				continue
			}
			removed++
		}
		if res.ListComplete || ctx.Err() != nil {
			break
		}
		cursor = res.Cursor
	}
	return removed, errors.Join(errs...)
}

// SweepAll walks every hold in the namespace.
func (s *Sweeper) SweepAll(ctx context.Context) (int, error) {
	ns, err := s.ns()
	if err != nil {
		return 0, err
	}
	removed := 0
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: "hold:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return removed, fmt.Errorf("sweep: %w", err)
		}
		for _, k := range res.Keys {
			if started(k.Name) {
				if err := ns.Delete(k.Name); err == nil {
					removed++
				}
			}
		}
		if res.ListComplete {
			return removed, nil
		}
		cursor = res.Cursor
	}
}

func started(key string) bool {
	parts := strings.Split(key, ":")
	if len(parts) != 5 {
		return false
	}
	t, err := time.Parse("20060102 1504", parts[2]+" "+parts[3])
	if err != nil {
		return false
	}
	return t.Before(now().UTC())
}
