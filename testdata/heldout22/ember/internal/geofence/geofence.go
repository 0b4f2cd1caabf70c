// Package geofence publishes the per-city zone configuration used by the
// apps and the vehicles: no-parking areas, slow zones and no-ride zones.
package geofence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/ember/internal/cache"
	"example.com/ember/internal/clock"
	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
)

// Zone kinds.
const (
	NoParking = "no-parking"
	SlowZone  = "slow"
	NoRide    = "no-ride"
)

// Zone is one polygon with a rule attached.
type Zone struct {
	ID       string       `json:"id"`
	Kind     string       `json:"kind"`
	SpeedKmh int          `json:"speed_kmh,omitempty"`
	Polygon  [][2]float64 `json:"polygon"`
}

// Geofence is the complete configuration of a city.
type Geofence struct {
	City      string    `json:"city"`
	Revision  string    `json:"revision"`
	Zones     []Zone    `json:"zones"`
	Published time.Time `json:"published"`
}

// Source is the GIS service where planners edit zones; it is the source of
// truth and KV only serves copies to the edge.
type Source interface {
	Fetch(ctx context.Context, city string) (Geofence, error)
}

// defaultCity is where the fallback configuration for cities without their
// own zones is kept.
const defaultCity = ""

// Raster dimensions of the parking bitmap: one byte per 5 m cell.
const (
	rasterWidth  = 4096
	rasterHeight = 6656
)

// Service serves and publishes geofences.
type Service struct {
	store     kvstore.Store
	source    Source
	cache     *cache.Cache[string, Geofence]
	values    *kv.NamespaceValueService
	account   string
	namespace string
	clock     clock.Clock
}

// NewService wires the geofence service.
func NewService(store kvstore.Store, src Source, client *cloudflare.Client, account, namespace string, cacheTTL time.Duration) *Service {
	s := &Service{store: store, source: src, values: client.KV.Namespaces.Values, account: account, namespace: namespace, clock: clock.System{}}
	s.cache = cache.New(cache.Config[string, Geofence]{
		Store: store,
		KeyOf: func(city string) string { return "geocache:" + city },
		Load:  src.Fetch,
		TTL:   cacheTTL,
	})
	return s
}

// Get returns the configuration of city through the edge cache.
func (s *Service) Get(ctx context.Context, city string) (Geofence, error) {
	return s.cache.Get(ctx, city)
}

// Publish stores g as the authoritative copy read by vehicles.
func (s *Service) Publish(ctx context.Context, g Geofence) error {
	g.Published = s.clock.Now()
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	if err := s.store.Put(ctx, keys.GeofenceKey{City: g.City}.String(), b); err != nil {
		return err
	}
	return s.cache.Invalidate(ctx, g.City)
}

// PublishDefault stores the fallback configuration.
func (s *Service) PublishDefault(ctx context.Context, g Geofence) error {
	g.City = defaultCity
	g.Published = s.clock.Now()
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, defaultCity, b) // EXPECT kvlimits
}

// Published returns the copy vehicles read, used by the vehicle gateway.
func (s *Service) Published(ctx context.Context, city string) (Geofence, error) {
	raw, _ := s.store.Get(ctx, keys.GeofenceKey{City: city}.String())
	var g Geofence
	if err := json.Unmarshal(raw, &g); err != nil { // EXPECT kvnull
		return Geofence{}, fmt.Errorf("geofence %s: %w", city, err)
	}
	return g, nil
}

// AddZone appends one zone to the published configuration of city.
func (s *Service) AddZone(ctx context.Context, city string, z Zone) error {
	key := keys.GeofenceKey{City: city}.String()
	raw, err := s.store.Get(ctx, key)
	if err != nil {
		return err
	}
	var g Geofence
	if err := json.Unmarshal(raw, &g); err != nil {
		return err
	}
	g.Zones = append(g.Zones, z)
	g.Revision = z.ID
	g.Published = s.clock.Now()
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, key, b) // EXPECT kvrace
}

func eventKey(city, id string) string { return "geoevent:" + city + ":" + id }

// AddEventZone publishes a temporary zone, for a street festival or a
// marathon, that disappears on its own when the event ends.
func (s *Service) AddEventZone(ctx context.Context, city string, z Zone, ends time.Time) error {
	b, err := json.Marshal(z)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, eventKey(city, z.ID), b, kvstore.ExpiresAt(ends.UnixMilli())) // EXPECT kvttl
}

// AddOvernightZone publishes a temporary zone that ends at 05:00 local time.
func (s *Service) AddOvernightZone(ctx context.Context, city string, z Zone, loc *time.Location) error {
	b, err := json.Marshal(z)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	ends := clock.StartOfDay(now, loc).Add(29 * time.Hour)
	return s.store.Put(ctx, eventKey(city, z.ID), b, kvstore.ExpiresAt(clock.ExpiryAfter(now, ends.Sub(now))))
}

// PreviewDraft stores a draft so that planners can open it on a test phone.
func (s *Service) PreviewDraft(ctx context.Context, g Geofence) (string, error) {
	b, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	key := "geodraft:" + g.City + ":" + g.Revision
	_, err = s.values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.account), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)), Expiration: cloudflare.F(float64(time.Now().Add(45 * time.Second).Unix()))}) // EXPECT kvttl
	return key, err
}

// PublishDraft stores a draft for review for a week.
func (s *Service) PublishDraft(ctx context.Context, g Geofence) error {
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	_, err = s.values.Update(ctx, s.namespace, "geodraft:"+g.City+":"+g.Revision, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		ExpirationTTL: cloudflare.F((7 * 24 * time.Hour).Seconds()),
	})
	return err
}

// PublishRaster renders the parking bitmap of city for the vehicles.
func (s *Service) PublishRaster(ctx context.Context, city string, g Geofence) error {
	if len(g.Zones) == 0 {
		return errors.New("geofence: nothing to rasterise")
	}
	bitmap := make([]byte, rasterWidth*rasterHeight)
	for i, z := range g.Zones {
		if z.Kind == NoParking {
			bitmap[i%len(bitmap)] = 1
		}
	}
	return s.store.Put(ctx, "georaster:"+city, bitmap) // EXPECT kvlimits
}
