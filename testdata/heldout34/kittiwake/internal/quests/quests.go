// Package quests publishes the daily quest boards that the Worker serves and
// keeps the season's quest catalogue in KV.
package quests

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"kittiwake/internal/config"
	"kittiwake/internal/keys"
	"kittiwake/internal/kverr"
	"kittiwake/internal/restkv"
)

// Quest is one entry of a board.
type Quest struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Objectives []string `json:"objectives"`
	RewardXP   int      `json:"reward_xp"`
}

// Season is the season record the edge and the ops tool share.
type Season struct {
	ID        string    `json:"id"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	QuestPool []string  `json:"quest_pool"`
}

// NextReset returns the next daily reset after now.
func NextReset(now time.Time, hourUTC int) time.Time {
	now = now.UTC()
	reset := time.Date(now.Year(), now.Month(), now.Day(), hourUTC, 0, 0, 0, time.UTC)
	if !reset.After(now) {
		reset = reset.Add(24 * time.Hour)
	}
	return reset
}

// Rollover publishes today's board (refreshed, in case designers edited it)
// and tomorrow's board for every region.
func Rollover(ctx context.Context, cfg config.Config, today, tomorrow map[string][]Quest) error {
	now := time.Now()
	next := NextReset(now, cfg.Season.ResetHourUTC)
	var b restkv.Batch
	for region, qs := range today {
		raw, err := json.Marshal(qs)
		if err != nil {
			return err
		}
		b = append(b, restkv.Entry{
			Key:   keys.KindQuest.Key(region, keys.Day(now)),
			Value: raw,
			TTL:   time.Until(next), // EXPECT kvttl
		})
	}
	for region, qs := range tomorrow {
		raw, err := json.Marshal(qs)
		if err != nil {
			return err
		}
		b = append(b, restkv.Entry{
			Key:   keys.KindQuest.Key(region, keys.Day(next)),
			Value: raw,
			TTL:   keys.KindQuest.TTL() + 24*time.Hour,
		})
	}
	if err := b.Flush(ctx); err != nil {
		return err
	}
	for region := range tomorrow {
		status := fmt.Sprintf("%s ready for %s at %s", region, keys.Day(next), time.Now().UTC().Format(time.RFC3339))
		if err := restkv.Put(ctx, keys.Key("quests", "rollover", "status"), []byte(status), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

const catalogRules = `Daily quests reset at the season's reset hour. Each player receives three quests drawn from the season pool, weighted by the modes they played in the last seven days. Objectives count only in matchmade games of at least four minutes; custom lobbies, practice and bot matches never count. Rerolls: one free reroll per day, further rerolls cost 50 gems and are capped at three. Progress is recorded when the match result is accepted by the server; disconnects before the result is accepted do not count. XP rewards are multiplied by the active battle-pass boost and credited within five minutes of completion. Quests that span several matches keep their progress until the next reset only. Players who are suspended during the day keep their progress but cannot claim rewards until the suspension ends. Event quests override one daily slot while an event runs and follow the event's own schedule instead of the daily reset. Designers may retire a quest mid-season; retired quests already on a board stay claimable until reset. Rewards unclaimed at season end are mailed to the player.`

// PublishCatalog writes the season's quest pool with its rules attached as
// metadata, so the client's rules screen can show them from a key listing.
func PublishCatalog(ctx context.Context, season string, pool []Quest) error {
	raw, err := json.Marshal(pool)
	if err != nil {
		return err
	}
	return restkv.Tags{"season": season, "rules": catalogRules}.Save(ctx, keys.Key("quests", "catalog", season), raw, 0) // EXPECT kvlimits
}

// RecordCompletions adds a batch of completions to the day's tally.
func RecordCompletions(ctx context.Context, day string, n int) error {
	key := keys.Key("stats", "quest-completions", day)
	raw, err := restkv.Get(ctx, key)
	total := 0
	switch {
	case err == nil:
		if total, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("quests: completions tally %s: %w", day, err)
		}
	case !kverr.IsMiss(err):
		return err
	}
	return restkv.Put(ctx, key, []byte(strconv.Itoa(total+n)), 72*time.Hour) // EXPECT kvcounter
}

func seasonKey(id string) string { return keys.Key("season", id) }

// EnsureSeason writes the season record the first time a season is rolled out.
func EnsureSeason(ctx context.Context, s Season) error {
	if _, err := restkv.Get(ctx, seasonKey(s.ID)); err != nil { // EXPECT kvnull
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		return restkv.Put(ctx, seasonKey(s.ID), raw, 0)
	}
	return nil
}

// LoadSeason reads a season record.
func LoadSeason(ctx context.Context, id string) (kverr.Maybe[Season], error) {
	raw, err := restkv.Get(ctx, seasonKey(id))
	r := kverr.Result[Season]{Err: err}
	if err == nil {
		r.Err = json.Unmarshal(raw, &r.Val)
	}
	return r.Maybe()
}
