// Package seatmap publishes venue seat maps and tracks sold seats per
// section.
package seatmap

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"example.com/juniper/internal/codec"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/keys"
	"example.com/juniper/internal/store"
)

// ErrSold is returned when a seat is already sold.
var ErrSold = errors.New("seatmap: seat sold")

// Source loads the authoritative seat map from the venue database.
type Source interface {
	SeatMap(ctx context.Context, venueID, eventID string) (domain.SeatMap, error)
}

// Catalog serves seat maps.
type Catalog interface {
	Published(ctx context.Context, venueID, eventID string, version int) (domain.SeatMap, error)
	Publish(ctx context.Context, m domain.SeatMap) error
	MarkSold(ctx context.Context, eventID, section, seat string) error
	Sections(ctx context.Context, eventID string) ([]domain.Section, error)
	Archive(ctx context.Context, m domain.SeatMap) error
}

type catalog struct {
	raw      store.Raw
	maps     store.Store[string, domain.SeatMap]
	sections store.Store[string, domain.Section]
	src      Source
	cfg      config.EntryCache
	maxPages int
}

var _ Catalog = (*catalog)(nil)

// NewCatalog returns a Catalog that caches maps loaded from src.
func NewCatalog(raw store.Raw, src Source, cfg config.EntryCache) Catalog {
	return &catalog{
		raw:      raw,
		maps:     store.NewTyped[string](raw, codec.JSON[domain.SeatMap]{}, ""),
		sections: store.NewTyped[string](raw, codec.JSON[domain.Section]{}, ""),
		src:      src,
		cfg:      cfg,
		maxPages: 5,
	}
}

// Published returns a seat map, reading through to the venue database on a
// miss.
func (c *catalog) Published(ctx context.Context, venueID, eventID string, version int) (domain.SeatMap, error) {
	k := keys.SeatMap(venueID, eventID, version)
	if m, ok, err := c.maps.Get(ctx, k); err != nil {
		return domain.SeatMap{}, err
	} else if ok {
		return m, nil
	}
	m, err := c.src.SeatMap(ctx, venueID, eventID)
	if err != nil {
		return domain.SeatMap{}, err
	}
	if err := c.maps.Put(ctx, k, m, store.WithTTL(max(c.cfg.TTL, time.Minute))); err != nil {
		return domain.SeatMap{}, err
	}
	return m, nil
}

// Publish stores a new version of a seat map and its sections. Each version
// has its own key, so earlier versions stay readable until they expire.
func (c *catalog) Publish(ctx context.Context, m domain.SeatMap) error {
	if err := c.maps.Put(ctx, keys.SeatMap(m.VenueID, m.EventID, m.Version), m); err != nil {
		return err
	}
	names := make([]string, 0, len(m.Sections))
	for name := range m.Sections {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := c.sections.Put(ctx, keys.SeatSection(m.EventID, name), m.Sections[name]); err != nil {
			return fmt.Errorf("seatmap: section %s: %w", name, err)
		}
	}
	return nil
}

// MarkSold flags a seat as sold in its section.
func (c *catalog) MarkSold(ctx context.Context, eventID, section, seat string) error {
	k := keys.SeatSection(eventID, section)
	s, ok, err := c.sections.Get(ctx, k)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("seatmap: unknown section %q", section)
	}
	if s.Seats[seat] {
		return ErrSold
	}
	s.Seats[seat] = true
	return c.sections.Put(ctx, k, s) // EXPECT kvrace
}

// Sections returns every section of an event's map, in key order.
func (c *catalog) Sections(ctx context.Context, eventID string) ([]domain.Section, error) {
	prefix := strings.TrimSuffix(keys.SeatSection(eventID, "x"), "x")
	var out []domain.Section
	cursor := ""
pages:
	for range c.maxPages {
		page, err := c.raw.List(ctx, store.ListQuery{Prefix: prefix, Cursor: cursor, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			s, ok, err := c.sections.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			out = append(out, s)
		}
		if page.Complete {
			break pages
		}
		cursor = page.Cursor
	}
	return out, nil
}

// Archive keeps a copy of a superseded map for support staff.
func (c *catalog) Archive(ctx context.Context, m domain.SeatMap) error {
	k := fmt.Sprintf("seatmap-archive:%s:%s:%0600d", m.VenueID, m.EventID, m.Version) // EXPECT kvlimits
	return c.maps.Put(ctx, k, m, store.WithTTL(30*24*time.Hour))
}
