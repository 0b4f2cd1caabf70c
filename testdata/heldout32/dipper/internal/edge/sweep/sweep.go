//go:build js && wasm

// Package sweep is the Worker's scheduled task. The cron trigger runs it
// every minute; each run tidies join codes, closes rounds whose timer ran
// out, trims the journal and republishes the lobby directory.
package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/quizfleet/dipper/internal/edge/lobby"
	"github.com/quizfleet/dipper/internal/edge/platform"
	"github.com/quizfleet/dipper/internal/edge/store"
	"github.com/quizfleet/dipper/internal/events"
)

const (
	maxSweepPages       = 10
	maxDirectoryPages   = 3
	maxDirectoryEntries = 500
	roundGrace          = 10 * time.Second
	journalRetention    = 48 * time.Hour
	joinCursorKey       = "sweep/joincode-cursor"
)

// Run is the scheduled task.
func Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	now := ev.ScheduledTime
	errs := []error{
		wrap("join codes", expireJoinCodes(now)),
		wrap("rounds", closeStaleRounds(now)),
		wrap("journal", pruneJournal(now)),
		wrap("answer logs", measureAnswerLogs(now)),
		wrap("directory", publishDirectory(now)),
		wrap("stats", snapshotStats(ctx, now)),
	}
	if err := store.Stats().PutString("sweep/last-run", now.Format(time.RFC3339), nil); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func wrap(job string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sweep %s: %w", job, err)
}

// expireJoinCodes deletes join codes written before codes had a TTL. It
// resumes from the cursor the previous run got to.
func expireJoinCodes(now time.Time) error {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "joincode/"}
	if cursor, found, err := store.Get(store.Stats(), joinCursorKey); err == nil && found {
		opts.Cursor = cursor
	}
	for {
		res, err := store.Lobbies().List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 {
				continue
			}
			if err := store.Lobbies().Delete(k.Name); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return store.Stats().Delete(joinCursorKey)
		}
		opts.Cursor = res.Cursor
		if err := store.Stats().PutString(joinCursorKey, res.Cursor, nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
}

// closeStaleRounds times out rounds whose host tab was closed, so that the
// lobby does not wait forever for the host's client to send round_timeout.
func closeStaleRounds(now time.Time) error {
	res, err := store.Lobbies().List(&cloudflare.KVNamespaceListOptions{Prefix: "active/", Limit: 1000}) // EXPECT kvlist
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range res.Keys {
		code := strings.TrimPrefix(k.Name, "active/")
		l, err := lobby.Load(code) // DEBATABLE kvlist
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if l.State != lobby.InRound || now.Before(l.RoundEndsAt.Add(roundGrace)) {
			continue
		}
		if _, err := lobby.Fire(code, lobby.EvRoundTimeout, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pruneJournal deletes journal entries older than the retention period.
// Entries carry a seven-day TTL from when the journal kept them longer.
func pruneJournal(now time.Time) error {
	cutoff := now.Add(-journalRetention)
	opts := &cloudflare.KVNamespaceListOptions{
		Prefix: "events/",
		Limit:  5000, // EXPECT kvlimits
	}
	for range maxSweepPages {
		res, err := store.Lobbies().List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			return nil
		}
		for _, k := range res.Keys {
			id := k.Name[strings.LastIndexByte(k.Name, '/')+1:]
			if at, ok := events.IDTime(id); ok && at.Before(cutoff) {
				if err := store.Lobbies().Delete(k.Name); err != nil {
					return err
				}
			}
		}
		opts.Cursor = res.Cursor
	}
	return nil
}

// measureAnswerLogs publishes how many rounds have answer logs, per lobby,
// for the ops dashboard.
func measureAnswerLogs(now time.Time) error {
	perLobby := map[string]int{}
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "answerlog/", Limit: 1000}
	for range maxSweepPages {
		res, err := store.Lobbies().List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			rest := strings.TrimPrefix(k.Name, "answerlog/")
			code, _, _ := strings.Cut(rest, "/")
			perLobby[code]++
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	snapshot := map[string]any{"at": now, "lobbies": perLobby}
	return store.PutJSON(store.Stats(), "stats/answer-logs", snapshot, 0)
}

// publishDirectory writes the list of running lobbies that the public
// directory page reads.
func publishDirectory(now time.Time) error {
	open := make([]string, 0, 64)
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "active/", Limit: 1000}
	for page := 0; page < maxDirectoryPages && len(open) < maxDirectoryEntries; page++ {
		res, err := store.Lobbies().List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			open = append(open, strings.TrimPrefix(k.Name, "active/"))
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	b, err := json.Marshal(map[string]any{"updated": now, "lobbies": open})
	if err != nil {
		return err
	}
	return store.Cache().PutString("directory/open", string(b), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: directoryTTL(),
	})
}

// directoryTTL is how long a published directory stays valid if the cron
// stops running; DIRECTORY_TTL_SECONDS overrides the default.
func directoryTTL() int {
	n, err := strconv.Atoi(cloudflare.Getenv("DIRECTORY_TTL_SECONDS"))
	if err != nil || n <= 0 {
		return 300
	}
	return n
}

// snapshotStats copies the number of recently active players from D1 to KV
// for the status page.
func snapshotStats(ctx context.Context, now time.Time) error {
	db, err := platform.DB()
	if err != nil {
		return err
	}
	var players int
	err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM players WHERE last_seen > ?`, now.Add(-5*time.Minute).Unix()).Scan(&players)
	if err != nil {
		return err
	}
	if err := store.Stats().PutString("stats/player-count", strconv.Itoa(players), nil); err != nil { // DEBATABLE kvcounter
		return err
	}
	log.Printf("sweep: %d players online", players)
	return nil
}
