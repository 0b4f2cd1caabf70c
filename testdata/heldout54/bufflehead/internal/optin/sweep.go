//go:build js && wasm

package optin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"bufflehead/internal/edgekv"
)

// SweepReport summarizes one sweep of pending signups.
type SweepReport struct {
	Scanned   int
	Stale     int
	Confirmed int
	Pages     int
	Truncated bool
}

type sweepStore interface {
	edgekv.Lister
	edgekv.Getter
}

// Sweep walks pending signups and fills rep with how many are stale. It
// reads at most maxPages pages per run; the cron picks up where it left off
// on the next tick because stale tokens expire on their own.
func Sweep(ctx context.Context, ns sweepStore, maxPages int, rep *SweepReport) error {
	cursor := ""
	for rep.Pages < maxPages {
		page, err := ns.List(ctx, "optin:", cursor, 1000)
		if err != nil {
			return fmt.Errorf("optin sweep: %w", err)
		}
		rep.Pages++
		for _, key := range page.Keys {
			rep.Scanned++
			raw, err := ns.Get(ctx, key) // EXPECT kvlist
			if errors.Is(err, edgekv.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			var p Pending
			if err := json.Unmarshal([]byte(raw), &p); err != nil {
				continue
			}
			switch {
			case p.Status == "confirmed":
				rep.Confirmed++
			case time.Since(p.Issued) > 24*time.Hour:
				rep.Stale++
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
	rep.Truncated = true
	return nil
}
