// Package lineup serves the festival schedule from a read-through cache in
// front of the programming team's CMS.
package lineup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"example.com/tamarack/internal/platform/store"
)

// Slot is one set on one stage.
type Slot struct {
	Stage  string    `json:"stage"`
	Artist string    `json:"artist"`
	Genre  string    `json:"genre"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
}

// Schedule is the programme of one festival day.
type Schedule struct {
	Day     string `json:"day"`
	Slots   []Slot `json:"slots"`
	Version int64  `json:"version"`
}

// Source is the CMS, the source of truth for the programme.
type Source interface {
	Schedule(ctx context.Context, day string) (Schedule, error)
	Days(ctx context.Context) ([]string, error)
}

// Stages and genres of this edition, in programme order.
const (
	allStages = "main-stage,tamarack-tent,lakeside,the-hollow,sawmill,birch-bar,forest-disco,north-field," +
		"kids-meadow,spoken-word-barn,late-night-cabin,silent-disco,sunrise-deck,workshop-yurt,cinema-tent," +
		"busking-corner,acoustic-porch,dub-shack,jazz-lounge,folk-circle,comedy-cellar,cabaret-caravan"
	allGenres = "indie,folk,electronic,techno,house,drum-and-bass,dub,reggae,jazz,soul,funk,hip-hop,rock," +
		"punk,metal,ambient,classical,world,afrobeat,latin,country,bluegrass,singer-songwriter,comedy," +
		"spoken-word,cabaret,family,cinema,workshop,experimental"
	// everythingKey caches the unfiltered programme, which the app opens with.
	everythingKey = "lineup:filter:stages=" + allStages + ";genres=" + allGenres + ";days=fri,sat,sun,mon"
)

// Cache is a read-through cache of the programme.
type Cache struct {
	st  store.Store
	src Source
	ttl time.Duration
	log *slog.Logger
}

// Option configures a Cache.
type Option func(*Cache)

// WithTTL sets how long cached days live.
func WithTTL(d time.Duration) Option { return func(c *Cache) { c.ttl = d } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(c *Cache) { c.log = l } }

// NewCache returns a Cache with a five minute lifetime unless configured.
func NewCache(st store.Store, src Source, opts ...Option) *Cache {
	c := &Cache{st: st, src: src, ttl: 5 * time.Minute, log: slog.Default()}
	for _, o := range opts {
		o(c)
	}
	return c
}

func dayKey(day string) string { return "lineup:day:" + strings.ToLower(day) }

// Day returns the programme of day, from the cache when possible.
func (c *Cache) Day(ctx context.Context, day string) (Schedule, error) {
	key := dayKey(day)
	raw, err := c.st.Get(ctx, key, store.WithCacheTTL(time.Minute))
	if err == nil {
		var s Schedule
		if err := json.Unmarshal([]byte(raw), &s); err == nil {
			return s, nil
		}
		c.log.Warn("discarding corrupt cache entry", "key", key)
	} else if !store.IsNotFound(err) {
		return Schedule{}, err
	}
	s, err := c.src.Schedule(ctx, day)
	if err != nil {
		return Schedule{}, fmt.Errorf("cms: %w", err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return Schedule{}, err
	}
	if err := c.st.Put(ctx, key, string(b), store.WithTTL(c.ttl)); err != nil {
		c.log.Warn("cache fill failed", "key", key, "err", err)
	}
	return s, nil
}

// Everything returns the full programme across all days.
func (c *Cache) Everything(ctx context.Context) ([]Schedule, error) {
	if raw, err := c.st.Get(ctx, everythingKey); err == nil { // EXPECT kvlimits
		var all []Schedule
		if json.Unmarshal([]byte(raw), &all) == nil {
			return all, nil
		}
	} else if !store.IsNotFound(err) {
		return nil, err
	}
	days, err := c.src.Days(ctx)
	if err != nil {
		return nil, err
	}
	all := make([]Schedule, 0, len(days))
	for _, d := range days {
		s, err := c.Day(ctx, d)
		if err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	b, _ := json.Marshal(all)
	return all, c.st.Put(ctx, everythingKey, string(b), store.WithTTL(c.ttl)) // EXPECT kvlimits
}

// OnNow returns the sets playing at t. It reads the "now playing" board the
// stage managers update.
func (c *Cache) OnNow(ctx context.Context, t time.Time) ([]Slot, error) {
	raw, err := c.st.Get(ctx, "lineup:now", store.WithCacheTTL(5*time.Second)) // EXPECT kvttl
	if store.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var slots []Slot
	if err := json.Unmarshal([]byte(raw), &slots); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slots, func(s Slot) bool { return t.Before(s.Start) || !t.Before(s.End) }), nil
}

// Republish pushes changed days after a late programme change and bumps
// the version the apps poll.
func (c *Cache) Republish(ctx context.Context, changed []Schedule) error {
	var errs []error
	for _, s := range changed {
		b, err := json.Marshal(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := c.st.Put(ctx, dayKey(s.Day), string(b), store.WithTTL(c.ttl)); err != nil {
			errs = append(errs, err)
			continue
		}
		v := fmt.Sprint(s.Version)
		if err := c.st.Put(ctx, "lineup:version", v); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
