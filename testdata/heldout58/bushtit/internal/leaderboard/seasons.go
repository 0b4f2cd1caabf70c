package leaderboard

import (
	"context"
	"encoding/json"
	"time"

	"github.com/arcadia-games/bushtit/internal/kvstore"
)

// Challenge is the daily or weekly challenge shown on the main menu.
type Challenge struct {
	Title  string    `json:"title"`
	Goal   string    `json:"goal"`
	Reward int       `json:"reward"`
	Ends   time.Time `json:"ends"`
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

func endOfWeek(t time.Time) time.Time {
	t = t.UTC()
	days := (7 - int(t.Weekday()) + int(time.Monday)) % 7
	if days == 0 {
		days = 7
	}
	y, m, d := t.Date()
	return time.Date(y, m, d+days, 0, 0, 0, 0, time.UTC)
}

func (b *Boards) putUntil(ctx context.Context, key string, v any, expires int64) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.KV.Put(ctx, kvstore.Entry{Key: key, Value: raw, Expires: expires})
}

// PublishDaily publishes today's challenge until midnight UTC.
func (b *Boards) PublishDaily(ctx context.Context, c Challenge) error {
	c.Ends = endOfDay(time.Now())
	return b.putUntil(ctx, "challenge:daily", c, c.Ends.Unix()) // DEBATABLE kvttl
}

// PublishWeekly publishes the weekly challenge until Monday 00:00 UTC.
func (b *Boards) PublishWeekly(ctx context.Context, c Challenge) error {
	c.Ends = endOfWeek(time.Now())
	return b.putUntil(ctx, "challenge:weekly", c, c.Ends.UnixMilli()) // EXPECT kvttl
}

// Tease shows a "next challenge in…" banner for the last moments before the
// daily rollover.
func (b *Boards) Tease(ctx context.Context, next Challenge) error {
	teaser := map[string]string{"title": next.Title}
	return b.putUntil(ctx, "challenge:teaser", teaser, time.Now().Add(30*time.Second).Unix()) // EXPECT kvttl
}

// FreezeSeason stores the final standings of a season for thirty days.
func (b *Boards) FreezeSeason(ctx context.Context, id BoardID, final []Score) error {
	return b.putUntil(ctx, "final:"+id.String(), final, time.Now().AddDate(0, 0, 30).Unix())
}

// HappyHour runs a double-points event for the given duration.
func (b *Boards) HappyHour(ctx context.Context, mode string, d time.Duration) error {
	event := map[string]any{"mode": mode, "multiplier": 2}
	return kvstore.SaveJSON(ctx, b.KV, "event:happy-hour:"+mode, event, d)
}

// StartHappyHour is what the ops bot calls.
func (b *Boards) StartHappyHour(ctx context.Context, mode string) error {
	return b.HappyHour(ctx, mode, time.Hour)
}

// SeasonBanner caches the season banner for a duration given in minutes by
// the live-ops config.
func (b *Boards) SeasonBanner(ctx context.Context, banner string, minutes int) error {
	return b.KV.Put(ctx, kvstore.Entry{Key: "banner:season", Value: []byte(banner), TTL: int(time.Duration(minutes) * time.Minute)}) // EXPECT kvttl
}
