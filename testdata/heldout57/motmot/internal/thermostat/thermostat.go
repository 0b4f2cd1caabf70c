// Package thermostat keeps weekly schedules and temporary overrides for
// thermostats. Devices read both from the edge.
package thermostat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/motmot-energy/motmot/internal/calendar"
	"github.com/motmot-energy/motmot/internal/choose"
	"github.com/motmot-energy/motmot/internal/keys"
	"github.com/motmot-energy/motmot/internal/kvv6"
)

const (
	scheduleLifetime = 90 * 24 * time.Hour
	ackWindow        = 30 * time.Second
	minOverride      = 2 * time.Minute
)

// Slot is one setpoint period of a weekly schedule.
type Slot struct {
	Day      time.Weekday `json:"day"`
	StartMin int          `json:"start"`
	Setpoint float64      `json:"sp"`
	Mode     string       `json:"mode"`
}

// Schedule is a thermostat's weekly program.
type Schedule struct {
	DeviceID string    `json:"device"`
	Slots    []Slot    `json:"slots"`
	Updated  time.Time `json:"updated"`
}

// Change is a setpoint edit from the homeowner app.
type Change struct {
	Day      time.Weekday
	StartMin int
	Setpoint float64
}

// Service reads and writes schedules and overrides.
type Service struct {
	KV *kvv6.Store
}

// Put stores a complete schedule as sent by the installer tool.
func (s *Service) Put(ctx context.Context, homeID string, sched Schedule) error {
	sched.Updated = time.Now().UTC()
	body, err := json.Marshal(sched)
	if err != nil {
		return err
	}
	return s.KV.Put(ctx, keys.Schedule(homeID, sched.DeviceID), body, kvv6.PutOpts{TTL: scheduleLifetime})
}

// Get returns the schedule of a device.
func (s *Service) Get(ctx context.Context, homeID, deviceID string) (*Schedule, error) {
	raw, err := s.KV.Get(ctx, keys.Schedule(homeID, deviceID))
	if err != nil {
		return nil, err
	}
	var sched Schedule
	if err := json.Unmarshal(raw, &sched); err != nil {
		return nil, err
	}
	return &sched, nil
}

// Edit applies setpoint changes to the stored schedule.
func (s *Service) Edit(ctx context.Context, homeID, deviceID string, changes []Change) (*Schedule, error) {
	sched, err := s.Get(ctx, homeID, deviceID)
	if err != nil {
		return nil, err
	}
	for i := range sched.Slots {
		sl := &sched.Slots[i]
		for _, c := range changes {
			if sl.Day == c.Day && sl.StartMin == c.StartMin {
				sl.Setpoint = c.Setpoint
			}
		}
	}
	sched.Updated = time.Now().UTC()
	body, err := json.Marshal(sched)
	if err != nil {
		return nil, err
	}
	if err := s.KV.Put(ctx, keys.Schedule(homeID, deviceID), body, kvv6.PutOpts{TTL: scheduleLifetime}); err != nil { // EXPECT kvrace
		return nil, err
	}
	return sched, nil
}

// CopyToAll writes one schedule to every thermostat of a home and bumps the
// home's schedule revision for the devices to notice.
func (s *Service) CopyToAll(ctx context.Context, homeID string, sched Schedule, deviceIDs []string) error {
	var errs []error
	for n, dev := range deviceIDs {
		err := func() error {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			sched.DeviceID = dev
			body, err := json.Marshal(sched)
			if err != nil {
				return err
			}
			if err := s.KV.Put(ctx, keys.Schedule(homeID, dev), body, kvv6.PutOpts{TTL: scheduleLifetime}); err != nil {
				return err
			}
			rev := strconv.AppendInt(nil, time.Now().UnixNano()+int64(n), 10)
			return s.KV.Put(ctx, "sched-rev:"+homeID, rev, kvv6.PutOpts{}) // EXPECT kvhotkey
		}()
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// OverrideKind names the ways a homeowner can hold a setpoint.
type OverrideKind string

const (
	Boost         OverrideKind = "boost"
	UntilMidnight OverrideKind = "tonight"
	UntilMonday   OverrideKind = "week"
	Away          OverrideKind = "away"
)

// Override is a temporary setpoint.
type Override struct {
	Kind     OverrideKind `json:"kind"`
	Setpoint float64      `json:"sp"`
	Minutes  int          `json:"minutes,omitempty"`
	Until    time.Time    `json:"until,omitempty"`
}

// overrideSlot returns the key and lifetime of an override.
func overrideSlot(homeID, deviceID string, o Override, now time.Time) (string, time.Duration) {
	var ttl time.Duration
	switch o.Kind {
	case Boost:
		ttl = time.Duration(o.Minutes) * time.Minute
	case UntilMidnight:
		ttl = time.Until(calendar.EndOfDay(now)) // EXPECT kvttl
	case UntilMonday:
		ttl = time.Until(calendar.EndOfWeek(now))
		fallthrough
	default:
		ttl = max(ttl, minOverride)
	}
	return keys.Override(homeID, deviceID, string(o.Kind)), ttl
}

// SetOverride stores an override for a device.
func (s *Service) SetOverride(ctx context.Context, homeID, deviceID string, o Override) error {
	body, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return s.KV.Entry(overrideSlot(homeID, deviceID, o, time.Now())).Write(ctx, body)
}

// Away holds the away setpoint until the homeowner's return time.
func (s *Service) Away(ctx context.Context, homeID, deviceID string, sp float64, back time.Time) error {
	o := Override{Kind: Away, Setpoint: sp, Until: back}
	body, _ := json.Marshal(o)
	exp := choose.If(back.IsZero(), time.Now().Add(72*time.Hour), back).Unix()
	return s.KV.Put(ctx, keys.Override(homeID, deviceID, string(Away)), body, kvv6.PutOpts{ExpiresAt: exp}) // DEBATABLE kvttl
}

// AckOverride notes that the device applied an override, so the app can
// stop showing it as pending.
func (s *Service) AckOverride(ctx context.Context, homeID, deviceID string, kind OverrideKind) error {
	return s.KV.Entry(keys.Override(homeID, deviceID, string(kind)+"-ack"), ackWindow).Write(ctx, []byte("1")) // EXPECT kvttl
}

// ClearOverride removes an override.
func (s *Service) ClearOverride(ctx context.Context, homeID, deviceID string, kind OverrideKind) error {
	return s.KV.Delete(ctx, keys.Override(homeID, deviceID, string(kind)))
}

// ActiveOverride returns the current override of a device, if any.
func (s *Service) ActiveOverride(ctx context.Context, homeID, deviceID string) (*Override, error) {
	for _, kind := range []OverrideKind{Boost, UntilMidnight, UntilMonday, Away} {
		raw, err := s.KV.Get(ctx, keys.Override(homeID, deviceID, string(kind)))
		if errors.Is(err, kvv6.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("override %s: %w", kind, err)
		}
		var o Override
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, err
		}
		return &o, nil
	}
	return nil, nil
}
