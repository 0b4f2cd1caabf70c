// Package drivers tracks driver positions and availability for dispatch.
package drivers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kea-mobility/kea/internal/geo"
	"github.com/kea-mobility/kea/internal/kvstore"
	"github.com/kea-mobility/kea/internal/ring"
)

// Status is a driver's availability.
type Status string

const (
	Offline  Status = "offline"
	Idle     Status = "idle"
	OnTrip   Status = "on_trip"
	OnBreak  Status = "break"
	trailLen        = 32
)

// Location is one GPS fix reported by the driver app.
type Location struct {
	DriverID string    `json:"driver_id"`
	Lat      float64   `json:"lat"`
	Lng      float64   `json:"lng"`
	Heading  int       `json:"heading"`
	At       time.Time `json:"at"`
}

// Preferences are a driver's dispatch settings.
type Preferences struct {
	MaxPickupKM float64  `json:"max_pickup_km"`
	Airports    bool     `json:"airports"`
	Zones       []string `json:"zones,omitempty"`
}

const (
	locationTTL   = 2 * time.Minute
	fleetStampKey = "drv:fleet:updated_at"
)

func locKey(id string) string    { return "drv:loc:" + id }
func availKey(id string) string  { return "drv:avail:" + id }
func trailKey(id string) string  { return "drv:trail:" + id }
func prefsKey(id string) string  { return "drv:prefs:" + id }
func recentKey(id string) string { return "drv:recent:" + id }
func rosterKey(zone string) string {
	return "drv:zone:" + zone
}

// Tracker keeps recent fixes in memory and mirrors the latest fix of every
// driver into KV for the edge Worker.
type Tracker struct {
	kv *kvstore.Store

	mu     sync.Mutex
	cond   *sync.Cond
	seq    uint64
	latest map[string]Location
	trails map[string]*ring.Ring[Location]
}

// NewTracker returns a Tracker writing to kv.
func NewTracker(kv *kvstore.Store) *Tracker {
	t := &Tracker{kv: kv, latest: map[string]Location{}, trails: map[string]*ring.Ring[Location]{}}
	t.cond = sync.NewCond(&t.mu)
	return t
}

// Report stores a fix, wakes long-polling riders and returns the fix's zone.
func (t *Tracker) Report(ctx context.Context, loc Location) (string, error) {
	zone := geo.Zone(loc.Lat, loc.Lng)
	body, _ := json.Marshal(loc)
	if err := t.kv.Put(ctx, locKey(loc.DriverID), body, locationTTL); err != nil {
		return "", err
	}

	t.mu.Lock()
	prev, seen := t.latest[loc.DriverID]
	t.latest[loc.DriverID] = loc
	tr, ok := t.trails[loc.DriverID]
	if !ok {
		tr = ring.New[Location](trailLen)
		t.trails[loc.DriverID] = tr
	}
	t.seq++
	t.cond.Broadcast()
	t.mu.Unlock()
	tr.Push(loc)

	stamp := strconv.FormatInt(loc.At.Unix(), 10)
	if err := t.kv.PutForever(ctx, fleetStampKey, []byte(stamp)); err != nil { // EXPECT kvhotkey
		log.Printf("drivers: fleet stamp: %v", err)
	}

	if !seen || geo.Zone(prev.Lat, prev.Lng) != zone {
		if err := t.joinRoster(ctx, zone, loc.DriverID); err != nil {
			return zone, err
		}
	}
	return zone, nil
}

// joinRoster adds a driver to the zone's roster read by the Worker.
func (t *Tracker) joinRoster(ctx context.Context, zone, driverID string) error {
	var ids []string
	raw, found, err := t.kv.Lookup(ctx, rosterKey(zone))
	if err != nil {
		return err
	}
	if found {
		if err := json.Unmarshal(raw, &ids); err != nil {
			return fmt.Errorf("roster %s: %w", zone, err)
		}
	}
	if slices.Contains(ids, driverID) {
		return nil
	}
	ids = append(ids, driverID)
	out, _ := json.Marshal(ids)
	return t.kv.Put(ctx, rosterKey(zone), out, 10*time.Minute) // EXPECT kvrace
}

// WaitForFix blocks until the driver reports a fix newer than since, the
// context ends, or the tracker is woken by another report.
func (t *Tracker) WaitForFix(ctx context.Context, driverID string, since time.Time) (Location, bool) {
	stop := context.AfterFunc(ctx, func() {
		t.mu.Lock()
		t.cond.Broadcast()
		t.mu.Unlock()
	})
	defer stop()

	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		if loc, ok := t.latest[driverID]; ok && loc.At.After(since) {
			return loc, true
		}
		if ctx.Err() != nil {
			return Location{}, false
		}
		t.cond.Wait()
	}
}

// Latest returns the driver's last fix, from memory or from KV when the
// fix was reported to another cluster member.
func (t *Tracker) Latest(ctx context.Context, driverID string) (Location, bool, error) {
	t.mu.Lock()
	loc, ok := t.latest[driverID]
	t.mu.Unlock()
	if ok {
		return loc, true, nil
	}
	raw, found, err := t.kv.Lookup(ctx, locKey(driverID))
	if err != nil || !found {
		return Location{}, false, err
	}
	if err := json.Unmarshal(raw, &loc); err != nil {
		return Location{}, false, err
	}
	return loc, true, nil
}

// SetStatus records a driver's availability.
func (t *Tracker) SetStatus(ctx context.Context, driverID string, st Status) error {
	if st == Offline {
		return t.kv.Delete(ctx, availKey(driverID))
	}
	return t.kv.PutForever(ctx, availKey(driverID), []byte(st))
}

// RecordTrip remembers a completed trip in the driver's recent list.
func (t *Tracker) RecordTrip(ctx context.Context, driverID, tripID string) error {
	old, err := t.kv.Get(ctx, recentKey(driverID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return t.kv.Put(ctx, recentKey(driverID), []byte(tripID), 7*24*time.Hour)
	}
	if err != nil {
		return err
	}
	ids := string(old) + "," + tripID
	if n := strings.Count(ids, ","); n >= 20 {
		ids = ids[strings.IndexByte(ids, ',')+1:]
	}
	return t.kv.Put(ctx, recentKey(driverID), []byte(ids), 7*24*time.Hour) // EXPECT kvrace
}

// UpdatePreferences applies a driver's change of dispatch settings.
func (t *Tracker) UpdatePreferences(ctx context.Context, driverID string, change func(*Preferences)) error {
	return t.kv.Amend(ctx, prefsKey(driverID), 0, func(old []byte) ([]byte, error) {
		p := Preferences{MaxPickupKM: 5}
		if old != nil {
			if err := json.Unmarshal(old, &p); err != nil {
				return nil, err
			}
		}
		change(&p)
		return json.Marshal(p)
	})
}

// FlushTrail writes the buffered trail of a driver, point by point, so that
// the support tool can replay a disputed route.
func (t *Tracker) FlushTrail(ctx context.Context, driverID string, window time.Duration) error {
	t.mu.Lock()
	tr := t.trails[driverID]
	t.mu.Unlock()
	if tr == nil {
		return nil
	}
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	var pts []Location
	for _, p := range tr.Drain() {
		pts = append(pts, p)
		body, _ := json.Marshal(pts)
		if err := t.kv.Put(ctx, trailKey(driverID), body, ttl); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ArchiveTrails writes every buffered trail once, one key per driver.
func (t *Tracker) ArchiveTrails(ctx context.Context, keep time.Duration) error {
	t.mu.Lock()
	ids := make([]string, 0, len(t.trails))
	for id := range t.trails {
		ids = append(ids, id)
	}
	t.mu.Unlock()

	ttl := max(keep, time.Hour)
	var errs []error
	for _, id := range ids {
		t.mu.Lock()
		tr := t.trails[id]
		t.mu.Unlock()
		body, _ := json.Marshal(tr.Snapshot())
		errs = append(errs, t.kv.Put(ctx, trailKey(id), body, ttl))
	}
	return errors.Join(errs...)
}
