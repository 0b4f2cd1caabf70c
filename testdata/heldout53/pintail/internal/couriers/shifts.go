// Package couriers manages courier shifts and the sessions of the courier
// app on the origin side.
package couriers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pintail-eats/pintail/internal/cfkv"
)

// ErrSlotTaken is returned when another courier already holds a slot.
var ErrSlotTaken = errors.New("couriers: slot already taken")

// Shift is one courier's booked working window in a zone.
type Shift struct {
	ID        string    `json:"id"`
	CourierID string    `json:"courier_id"`
	Zone      string    `json:"zone"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Vehicle   string    `json:"vehicle"`

	store *Shifts
}

// Roster is the list of couriers working in a zone right now.
type Roster struct {
	Zone     string    `json:"zone"`
	Couriers []string  `json:"couriers"`
	Updated  time.Time `json:"updated"`
}

// Shifts stores shifts and rosters.
type Shifts struct {
	ns cfkv.Namespace
}

// NewShifts returns a Shifts over ns.
func NewShifts(ns cfkv.Namespace) *Shifts { return &Shifts{ns: ns} }

// slot binds a load and a save function to one key.
func (s *Shifts) slot(ctx context.Context, key string) (func() ([]byte, error), func([]byte, time.Duration) error) {
	load := func() ([]byte, error) { return s.ns.Get(ctx, key) }
	save := func(v []byte, ttl time.Duration) error { return s.ns.Put(ctx, key, v, ttl) }
	return load, save
}

// New returns an unsaved shift bound to the store.
func (s *Shifts) New(id, courierID, zone string, start, end time.Time) *Shift {
	return &Shift{ID: id, CourierID: courierID, Zone: zone, Start: start, End: end, store: s}
}

func (sh *Shift) key() string { return "shift:" + sh.ID }

// Save writes the shift; it expires a day after it ends.
func (sh *Shift) Save(ctx context.Context) error {
	raw, err := json.Marshal(sh)
	if err != nil {
		return err
	}
	_, save := sh.store.slot(ctx, sh.key())
	return save(raw, time.Until(sh.End)+24*time.Hour) // DEBATABLE kvttl
}

// Load reads a shift by ID.
func (s *Shifts) Load(ctx context.Context, id string) (*Shift, error) {
	load, _ := s.slot(ctx, "shift:"+id)
	raw, err := load()
	if err != nil {
		return nil, err
	}
	sh := &Shift{store: s}
	return sh, json.Unmarshal(raw, sh)
}

// Claim books the delivery slot (zone + hour) for the shift's courier.
func (sh *Shift) Claim(ctx context.Context) error {
	slotKey := fmt.Sprintf("slot:%s:%s", sh.Zone, sh.Start.UTC().Format("2006010215"))
	load, save := sh.store.slot(ctx, slotKey)
	if _, err := load(); err == nil {
		return ErrSlotTaken
	} else if !cfkv.IsNotFound(err) {
		return err
	}
	return save([]byte(sh.CourierID), max(time.Until(sh.End), 0)+time.Hour) // EXPECT kvrace
}

// CheckIn adds the courier to the zone's live roster.
func (sh *Shift) CheckIn(ctx context.Context) error {
	load, save := sh.store.slot(ctx, "roster:"+sh.Zone)
	var r Roster
	raw, err := load()
	switch {
	case cfkv.IsNotFound(err):
		r = Roster{Zone: sh.Zone}
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
	}
	if !slices.Contains(r.Couriers, sh.CourierID) {
		r.Couriers = append(r.Couriers, sh.CourierID)
	}
	r.Updated = time.Now().UTC()
	out, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return save(out, 0) // EXPECT kvrace
}

// PublishRoster overwrites the zone's roster with the dispatcher's view,
// which is computed from the database on every dispatch tick.
func (s *Shifts) PublishRoster(ctx context.Context, r Roster) error {
	out, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, save := s.slot(ctx, "roster:"+r.Zone)
	return save(out, 10*time.Minute)
}

// Vehicle records the vehicle a courier uses for the rest of the shift.
func (s *Shifts) Vehicle(ctx context.Context, shiftID, vehicle string) error {
	load, save := s.slot(ctx, "shift:"+shiftID)
	raw, err := load() // EXPECT kvnull
	if err != nil {
		raw = []byte("{}")
	}
	var sh Shift
	if err := json.Unmarshal(raw, &sh); err != nil {
		return err
	}
	sh.Vehicle = vehicle
	out, _ := json.Marshal(&sh)
	return save(out, 24*time.Hour) // EXPECT kvrace
}

// PublishZones writes the roster of every zone after the nightly planning
// run, one goroutine per zone, and records which zone finished last.
func (s *Shifts) PublishZones(ctx context.Context, rosters []Roster) []error {
	errs := make([]error, len(rosters))
	var wg sync.WaitGroup
	for i, r := range rosters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = s.PublishRoster(ctx, r); errs[i] != nil {
				return
			}
			_, save := s.slot(ctx, "planning:last-zone")
			errs[i] = save([]byte(r.Zone), 0) // EXPECT kvhotkey
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return []error{ctx.Err()}
	}
	_, save := s.slot(ctx, "planning:last-run")
	if err := save([]byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil {
		errs = append(errs, err)
	}
	return errs
}
