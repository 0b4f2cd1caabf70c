// Package docks serves dock availability: how many bikes, scooters and free
// slots each station has right now.
package docks

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"example.com/ember/internal/cache"
	"example.com/ember/internal/clock"
	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
	"example.com/ember/internal/repo"
)

// Station statuses.
const (
	StatusOpen        = "open"
	StatusClosed      = "closed"
	StatusMaintenance = "maintenance"
)

// Dock is the availability record of a station.
type Dock struct {
	City      string         `json:"city"`
	Station   string         `json:"station"`
	Name      string         `json:"name"`
	Bikes     int            `json:"bikes"`
	Scooters  int            `json:"scooters"`
	FreeSlots int            `json:"free_slots"`
	Status    string         `json:"status"`
	History   []StatusChange `json:"history,omitempty"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// StatusChange records why a station changed status.
type StatusChange struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	Reason string    `json:"reason"`
}

// Occupancy is what the telemetry API reports for a station.
type Occupancy struct {
	Name      string
	Bikes     int
	Scooters  int
	FreeSlots int
	Online    bool
}

// Telemetry is the fleet telemetry API, the source of truth for occupancy.
type Telemetry interface {
	Stations(ctx context.Context, city string) ([]string, error)
	Occupancy(ctx context.Context, city, station string) (Occupancy, error)
}

// Service reads and updates dock records.
type Service struct {
	store     kvstore.Store
	docks     *repo.Repository[Dock]
	telemetry Telemetry
	cache     *cache.Cache[keys.DockKey, Dock]
	clock     clock.Clock
}

// Option configures a Service.
type Option func(*Service)

// WithClock replaces the wall clock.
func WithClock(c clock.Clock) Option { return func(s *Service) { s.clock = c } }

// NewService wires the dock service. docks must use the "dock:" prefix.
func NewService(store kvstore.Store, docks *repo.Repository[Dock], tel Telemetry, cacheTTL time.Duration, opts ...Option) *Service {
	s := &Service{store: store, docks: docks, telemetry: tel, clock: clock.System{}}
	for _, o := range opts {
		o(s)
	}
	s.cache = cache.New(cache.Config[keys.DockKey, Dock]{
		Store: store,
		KeyOf: func(k keys.DockKey) string { return "dockview:" + k.String() },
		Load:  s.fromTelemetry,
		TTL:   cacheTTL,
	})
	return s
}

func dockID(city, station string) string { return city + ":" + station }

func (s *Service) fromTelemetry(ctx context.Context, k keys.DockKey) (Dock, error) {
	occ, err := s.telemetry.Occupancy(ctx, k.City, k.Station)
	if err != nil {
		return Dock{}, err
	}
	d := Dock{City: k.City, Station: k.Station, Name: occ.Name, Bikes: occ.Bikes, Scooters: occ.Scooters,
		FreeSlots: occ.FreeSlots, Status: StatusOpen, UpdatedAt: s.clock.Now()}
	if !occ.Online {
		d.Status = StatusMaintenance
	}
	return d, nil
}

// Get returns the availability of one station, cached for the cache TTL.
func (s *Service) Get(ctx context.Context, city, station string) (Dock, error) {
	return s.cache.Get(ctx, keys.DockKey{City: city, Station: station})
}

// SetStatus opens or closes a station and records why.
func (s *Service) SetStatus(ctx context.Context, city, station, status, reason string) error {
	id := dockID(city, station)
	d, err := s.docks.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("set status %s: %w", id, err)
	}
	d.Status = status
	d.History = append(d.History, StatusChange{At: s.clock.Now(), Status: status, Reason: reason})
	d.UpdatedAt = s.clock.Now()
	if err := s.docks.Save(ctx, id, d); err != nil { // EXPECT kvrace
		return err
	}
	return s.cache.Invalidate(ctx, keys.DockKey{City: city, Station: station})
}

// Stations lists the station ids of a city known to KV.
func (s *Service) Stations(ctx context.Context, city string) ([]string, error) {
	prefix := keys.DockPrefix(city)
	page, err := s.store.List(ctx, kvstore.ListQuery{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, k.Name[len(prefix):])
	}
	return out, nil
}

// Inventory lists every dock id stored in KV, for the admin dashboard.
func (s *Service) Inventory(ctx context.Context) ([]string, error) {
	return s.docks.All(ctx)
}

func capacityKey(city, station string) string { return "capacity:" + city + ":" + station }

// Capacity returns the number of physical slots of a station as configured
// by the operations team.
func (s *Service) Capacity(ctx context.Context, city, station string) (int, error) {
	raw, _ := s.store.Get(ctx, capacityKey(city, station))
	n, err := strconv.Atoi(string(raw)) // EXPECT kvnull
	if err != nil {
		return 0, fmt.Errorf("capacity of %s/%s: %w", city, station, err)
	}
	return n, nil
}

// SetCapacity records the number of physical slots of a station.
func (s *Service) SetCapacity(ctx context.Context, city, station string, slots int) error {
	return s.store.Put(ctx, capacityKey(city, station), []byte(strconv.Itoa(slots)))
}

type closure struct {
	Reason string    `json:"reason"`
	Since  time.Time `json:"since"`
}

func closureKey(city, station string) string { return "closure:" + city + ":" + station }

// CloseForDay shows a closure notice on a station until local midnight.
func (s *Service) CloseForDay(ctx context.Context, city, station, reason string, loc *time.Location) error {
	now := s.clock.Now()
	b, err := json.Marshal(closure{Reason: reason, Since: now})
	if err != nil {
		return err
	}
	ttl := time.Until(clock.EndOfDay(now, loc))
	return s.store.Put(ctx, closureKey(city, station), b, kvstore.TTL(ttl)) // EXPECT kvttl
}

// CloseUntilMorning shows a closure notice until 06:00 local time tomorrow.
func (s *Service) CloseUntilMorning(ctx context.Context, city, station, reason string, loc *time.Location) error {
	now := s.clock.Now()
	b, err := json.Marshal(closure{Reason: reason, Since: now})
	if err != nil {
		return err
	}
	reopen := clock.EndOfDay(now, loc).Add(6 * time.Hour)
	ttl := clock.AtLeast(reopen.Sub(now), clock.MinExpiry)
	return s.store.Put(ctx, closureKey(city, station), b, kvstore.TTL(ttl))
}
