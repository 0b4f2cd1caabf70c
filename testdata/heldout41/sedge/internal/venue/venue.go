//go:build js && wasm

// Package venue serves per-venue data at the edge: menus and opening hours
// (cached from the origin), booking limits, and the statistics the venue
// dashboard shows.
package venue

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"sedge/internal/bus"
	"sedge/internal/cache"
	"sedge/internal/config"
	"sedge/internal/edgekv"
	"sedge/internal/events"
)

// Menu is a venue's published menu.
type Menu struct {
	Venue    string    `json:"venue"`
	Sections []Section `json:"sections"`
	Version  int       `json:"version"`
}

// Section groups menu items.
type Section struct {
	Title string `json:"title"`
	Items []Item `json:"items"`
}

// Item is one dish.
type Item struct {
	Name      string   `json:"name"`
	Price     int      `json:"price"`
	Allergens []string `json:"allergens,omitempty"`
}

// Hours are a venue's weekly opening hours, "HH:MM-HH:MM" per weekday.
type Hours struct {
	Venue string            `json:"venue"`
	Days  map[string]string `json:"days"`
}

// Origin is the system of record behind the edge caches.
type Origin struct {
	cfg    *config.Live
	client *http.Client
}

func (o Origin) fetch(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.cfg.Load().OriginURL+path, nil)
	if err != nil {
		return err
	}
	res, err := o.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("origin %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(into)
}

// Menu loads a menu from the origin.
func (o Origin) Menu(ctx context.Context, venue string) (Menu, error) {
	var m Menu
	return m, o.fetch(ctx, "/venues/"+venue+"/menu", &m)
}

// Hours loads opening hours from the origin.
func (o Origin) Hours(ctx context.Context, venue string) (Hours, error) {
	var h Hours
	return h, o.fetch(ctx, "/venues/"+venue+"/hours", &h)
}

type viewCounts struct {
	mu sync.Mutex
	n  map[string]int
}

// Service holds the venue stores.
type Service struct {
	origin   Origin
	menus    cache.Cache[string, Menu]
	hours    cache.Cache[string, Hours]
	specials edgekv.Store
	override edgekv.Store
	limits   edgekv.Store
	counts   edgekv.Store
	meta     edgekv.Store
	boards   edgekv.Store
	cfg      *config.Live
	views    viewCounts
}

// NewService wires the caches: an in-isolate LRU in front of KV for menus,
// KV alone for opening hours.
func NewService(st edgekv.Store, cfg *config.Live) *Service {
	byVenue := func(v string) string { return v }
	menusKV := edgekv.NewCache[string, Menu](st.Scope("menu"), byVenue, func(c *config.Config) time.Duration {
		return c.MenuTTL
	})
	hoursKV := edgekv.NewCache[string, Hours](st.Scope("hours"), byVenue, func(*config.Config) time.Duration {
		return 45 * time.Second // EXPECT kvttl
	})
	return &Service{
		origin:   Origin{cfg: cfg, client: http.DefaultClient},
		menus:    cache.Layered[string, Menu]{Near: cache.NewLRU[string, Menu](256), Far: menusKV},
		hours:    hoursKV,
		specials: st.Scope("specials"),
		override: st.Scope("hours-override"),
		limits:   st.Scope("rules"),
		counts:   st.Scope("stats"),
		meta:     st.Scope("meta"),
		boards:   st.Scope("board"),
		cfg:      cfg,
		views:    viewCounts{n: make(map[string]int)},
	}
}

// Subscribe registers the venue subscribers.
func (s *Service) Subscribe(b *bus.Bus) {
	q := quotaKeeper{limits: s.limits}
	b.Subscribe(events.TopicBooking, events.Dispatch(q))
	st := &statsRecorder{counts: s.counts, meta: s.meta, boards: s.boards}
	for _, topic := range []string{events.TopicBooking, events.TopicCheckout, events.TopicNoShow, events.TopicWaitlist} {
		b.Subscribe(topic, events.Dispatch(st))
	}
}
