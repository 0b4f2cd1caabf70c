// Package moderation is the ops tool's player moderation: bans, profile
// flags, match history and report summaries.
package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"kittiwake/internal/keys"
	"kittiwake/internal/kverr"
	"kittiwake/internal/restkv"
)

// Ban is a moderation decision.
type Ban struct {
	Player string    `json:"player"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	Until  time.Time `json:"until"`
}

// Apply records a ban and revokes the player's live sessions.
func Apply(ctx context.Context, b Ban, sessionIDs []string) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if err := restkv.Put(ctx, keys.Key("ban", b.Player), raw, time.Until(b.Until)); err != nil {
		return err
	}
	for _, sid := range sessionIDs {
		if err := restkv.Put(ctx, keys.Key("revoked", "sess", sid), []byte(b.Reason), keys.KindSession.TTL()); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

// SetFlag switches a profile flag (muted, hidden, verified, ...).
func SetFlag(ctx context.Context, load restkv.Loader, player, flag string, on bool) error {
	key := keys.KindProfile.Key(player)
	raw, err := load.Load(ctx, key)
	if err != nil {
		return fmt.Errorf("moderation: profile %s: %w", player, err)
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	flags, _ := p["flags"].(map[string]any)
	if flags == nil {
		flags = map[string]any{}
	}
	flags[flag] = on
	p["flags"] = flags
	out, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return restkv.Put(ctx, key, out, time.Hour) // EXPECT kvrace
}

// AppendHistory adds a finished match to a player's recent history.
func AppendHistory(ctx context.Context, player, matchID string) error {
	key := keys.Key("history", player)
	raw, err := restkv.Get(ctx, key)
	if err != nil && !kverr.IsMiss(err) {
		return err
	}
	hist := string(raw)
	if hist != "" {
		hist += ","
	}
	hist += matchID
	if parts := strings.Split(hist, ","); len(parts) > 50 {
		hist = strings.Join(parts[len(parts)-50:], ",")
	}
	return restkv.Put(ctx, key, []byte(hist), 90*24*time.Hour) // EXPECT kvrace
}

// Match is a finished match as reported by the game servers.
type Match struct {
	ID      string   `json:"id"`
	Players []string `json:"players"`
}

// IngestMatches records each match in its players' histories.
func IngestMatches(ctx context.Context, ms []Match) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(ms))
	for _, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range m.Players {
				if err := AppendHistory(ctx, p, m.ID); err != nil {
					errs <- err
					return
				}
			}
			// Lets a re-run after a crash skip what was already ingested.
			if err := restkv.Put(ctx, keys.Key("ingest", "last-match"), []byte(m.ID), 0); err != nil { // EXPECT kvhotkey
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// ReportSummary is the moderator's view of a player's reports.
type ReportSummary struct {
	Player  string         `json:"player"`
	Total   int            `json:"total"`
	Reasons map[string]int `json:"reasons"`
}

// Reports computes report summaries from the reports database. The ops tool
// sets it.
var Reports func(ctx context.Context, player string) (ReportSummary, error)

// Summary returns a player's report summary, cached for the moderation queue.
func Summary(ctx context.Context, player string) (ReportSummary, error) {
	key := keys.Key("reports", "summary", player)
	raw, err := restkv.Get(ctx, key)
	if err != nil {
		return ReportSummary{}, err
	}
	var s ReportSummary
	if len(raw) == 0 { // EXPECT kvnull
		if s, err = Reports(ctx, player); err != nil {
			return s, err
		}
		out, _ := json.Marshal(s)
		return s, restkv.Put(ctx, key, out, 10*time.Minute)
	}
	return s, json.Unmarshal(raw, &s)
}
