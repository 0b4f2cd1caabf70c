// Package catalog serves studio and class listings from KV, filling the
// cache from the scheduling database on a miss.
package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/kiln/internal/coalesce"
	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/ttlpolicy"
)

// Studio is the public profile of a studio.
type Studio struct {
	ID       string   `json:"id"`
	Slug     string   `json:"slug"`
	Name     string   `json:"name"`
	City     string   `json:"city"`
	Kilns    int      `json:"kilns"`
	Features []string `json:"features"`
}

// Availability is the seat count of a class.
type Availability struct {
	ClassID string    `json:"class_id"`
	Left    int       `json:"left"`
	AsOf    time.Time `json:"as_of"`
}

// Settings are a studio's storefront preferences.
type Settings struct {
	Currency     string `json:"currency"`
	ShowWaitlist bool   `json:"show_waitlist"`
	Theme        string `json:"theme"`
}

var defaultSettings = Settings{Currency: "usd", ShowWaitlist: true, Theme: "clay"}

// Source is the system of record.
type Source interface {
	Studio(ctx context.Context, id string) (*Studio, error)
	SeatsLeft(ctx context.Context, classID string) (int, error)
}

// Catalog is a read-through cache over Source.
type Catalog struct {
	bucket    *kvstore.Bucket
	src       Source
	studioTTL time.Duration
	studios   coalesce.Group[string, *Studio]
	seats     coalesce.Group[string, Availability]
}

// New returns a catalog that caches studio profiles for studioTTL, or for
// the catalog tier's lifetime when studioTTL is zero.
func New(b *kvstore.Bucket, src Source, studioTTL time.Duration) *Catalog {
	if studioTTL <= 0 {
		studioTTL = ttlpolicy.TierCatalog.TTL()
	}
	return &Catalog{bucket: b, src: src, studioTTL: studioTTL}
}

// Studio returns a studio profile, from cache when possible.
func (c *Catalog) Studio(ctx context.Context, id string) (*Studio, error) {
	st, err, _ := c.studios.Do(id, func() (*Studio, error) {
		key := "studio:" + id
		var st Studio
		err := c.bucket.GetJSON(ctx, key, &st)
		if err == nil {
			return &st, nil
		}
		if !kvstore.IsNotFound(err) {
			return nil, err
		}
		fresh, err := c.src.Studio(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := c.bucket.PutJSON(ctx, key, fresh, c.studioTTL); err != nil {
			return nil, err
		}
		return fresh, nil
	})
	return st, err
}

// Availability returns how many seats a class has left. Counts change with
// every booking, so they are cached only briefly.
func (c *Catalog) Availability(ctx context.Context, classID string) (Availability, error) {
	av, err, _ := c.seats.Do(classID, func() (Availability, error) {
		key := "seats:" + classID
		var av Availability
		err := c.bucket.GetJSON(ctx, key, &av)
		if err == nil {
			return av, nil
		}
		if !kvstore.IsNotFound(err) {
			return Availability{}, err
		}
		left, err := c.src.SeatsLeft(ctx, classID)
		if err != nil {
			return Availability{}, err
		}
		av = Availability{ClassID: classID, Left: left, AsOf: time.Now().UTC()}
		return av, c.bucket.PutJSON(ctx, key, av, ttlpolicy.TierVolatile.TTL())
	})
	return av, err
}

// Settings returns a studio's storefront settings, writing the defaults the
// first time a studio is seen.
func (c *Catalog) Settings(ctx context.Context, studioID string) (Settings, error) {
	key := "settings:" + studioID
	raw, err := c.bucket.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		raw, _ = json.Marshal(defaultSettings)
		if err := c.bucket.Put(ctx, key, raw, 0); err != nil {
			return Settings{}, err
		}
	}
	var s Settings
	if err := json.Unmarshal(raw, &s); err != nil {
		return Settings{}, fmt.Errorf("catalog: settings %s: %w", studioID, err)
	}
	return s, nil
}
