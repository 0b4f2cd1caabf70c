//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"

	"github.com/killdeer-games/killdeer/internal/config"
	"github.com/killdeer-games/killdeer/internal/edgekv"
)

// sweepPages bounds the work one cron invocation does; the next tick resumes
// from the saved cursor.
const sweepPages = 20

func cfgEnabled(name string) bool { return config.Load().Enabled(name) }

// sweep runs every minute from the cron trigger.
func sweep(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	var errs []error
	if err := publishStatus(ev.ScheduledTime); err != nil {
		errs = append(errs, fmt.Errorf("status: %w", err))
	}
	if err := pruneTickets(ev.ScheduledTime); err != nil {
		errs = append(errs, fmt.Errorf("tickets: %w", err))
	}
	if ev.Cron == "0 * * * *" {
		if err := reindexOpenLobbies(); err != nil {
			errs = append(errs, fmt.Errorf("reindex: %w", err))
		}
		if err := clearStaleStarts(); err != nil {
			errs = append(errs, fmt.Errorf("starts: %w", err))
		}
	}
	return errors.Join(errs...)
}

// publishStatus writes the matchmaking health summary once per tick.
func publishStatus(at time.Time) error {
	st := struct {
		At      int64  `json:"at"`
		Version int    `json:"config_version"`
		Scheme  string `json:"scheme"`
	}{at.Unix(), config.Load().Version, config.Load().KeyScheme}
	raw, _ := json.Marshal(st)
	return state.PutString("mm:health", string(raw), &edgekv.PutOptions{ExpirationTTL: 300})
}

// pruneTickets removes tickets older than the configured hold, continuing
// from the cursor saved by the previous tick.
func pruneTickets(now time.Time) error {
	hold := config.Load().TicketTTL.Duration
	cursor, err := state.GetString("sweep:tickets:cursor", nil)
	if err != nil {
		return err
	}
	if edgekv.IsMissing(cursor) {
		cursor = ""
	}
	opts := &edgekv.ListOptions{Prefix: state.Prefix("ticket"), Cursor: cursor, Limit: 500}
	for range sweepPages {
		res, err := state.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration > 0 && time.Unix(int64(k.Expiration), 0).Before(now.Add(-hold)) {
				_ = state.Delete(k.Name)
			}
		}
		if res.ListComplete {
			cursor = ""
			break
		}
		cursor = res.Cursor
		opts.Cursor = cursor
	}
	return state.PutString("sweep:tickets:cursor", cursor, &edgekv.PutOptions{ExpirationTTL: 3600}) // DEBATABLE kvrace
}

// reindexOpenLobbies drops index entries whose lobby record has expired.
func reindexOpenLobbies() error {
	prefix := state.Prefix("open")
	opts := &edgekv.ListOptions{Prefix: prefix}
	removed := 0
	for {
		res, err := state.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			_, id, _ := strings.Cut(strings.TrimPrefix(k.Name, prefix), "/")
			v, err := state.GetString(state.Key("lobby", id), nil) // EXPECT kvlist
			if err == nil && edgekv.IsMissing(v) {
				_ = state.Delete(k.Name)
				removed++
			}
		}
		if res.ListComplete {
			break
		}
		opts = &edgekv.ListOptions{Cursor: res.Cursor}
		progress := fmt.Sprintf(`{"removed":%d,"cursor":%q}`, removed, res.Cursor)
		if err := state.PutString("sweep:reindex:progress", progress, nil); err != nil { // EXPECT kvhotkey
			log.Printf("reindex progress: %v", err)
		}
	}
	log.Printf("reindex: removed %d", removed)
	return nil
}

// clearStaleStarts deletes start markers of lobbies that never started.
func clearStaleStarts() error {
	cursor := ""
	for {
		res, err := state.List(&edgekv.ListOptions{Prefix: state.Prefix("starting"), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if err := state.Delete(k.Name); err != nil {
				return err
			}
		}
		cursor = res.Cursor
	}
	return nil
}
