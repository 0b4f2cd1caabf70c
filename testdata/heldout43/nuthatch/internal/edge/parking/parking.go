//go:build js && wasm

// Package parking runs pay-by-phone sessions at the edge: a driver starts,
// extends and stops paid parking for a plate in a zone.
package parking

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/cityparking/nuthatch/internal/clock"
	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/edgekv"
	"github.com/cityparking/nuthatch/internal/kvkeys"
)

// grace keeps a finished session visible to officers for a while.
const grace = 15 * time.Minute

// ErrZoneClosed is returned outside a zone's paid hours or above its limit.
var ErrZoneClosed = errors.New("parking: zone not accepting sessions")

// ZoneConfig is the operating configuration of a zone.
type ZoneConfig struct {
	MaxMinutes int    `json:"max_minutes"`
	OpensAt    string `json:"opens_at"`
	ClosesAt   string `json:"closes_at"`
	Closed     bool   `json:"closed"`
}

// Session is one paid parking session.
type Session struct {
	City      string    `json:"city"`
	Zone      string    `json:"zone"`
	Plate     string    `json:"plate"`
	Phone     string    `json:"phone"`
	StartedAt time.Time `json:"started_at"`
	EndsAt    time.Time `json:"ends_at"`
	PaidCents int       `json:"paid_cents"`

	ns *edgekv.Namespace
}

func (s *Session) key() kvkeys.ParkingKey {
	return kvkeys.ParkingKey{City: s.City, Zone: s.Zone, Plate: s.Plate}
}

// Save writes the session; it expires a grace period after it ends.
func (s *Session) Save() error {
	body, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return s.ns.PutUntil(s.key(), string(body), s.EndsAt.Add(grace))
}

// Delete removes the session.
func (s *Session) Delete() error { return s.ns.Delete(s.key()) }

// Service is the pay-by-phone service of one city.
type Service struct {
	City  string
	NS    *edgekv.Namespace
	Clock clock.Clock
}

func (svc *Service) zoneConfig(zone string) (ZoneConfig, error) {
	var zc ZoneConfig
	raw, err := svc.NS.Raw().GetString(kvkeys.ZoneKey{City: svc.City, Zone: zone}.Key(), &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		return zc, err
	}
	if err := json.Unmarshal([]byte(raw), &zc); err != nil {
		return zc, fmt.Errorf("zone %s config: %w", zone, err)
	}
	return zc, nil
}

func (svc *Service) tariff(zone string) (int, error) {
	raw, err := svc.NS.Raw().GetString(kvkeys.Tariff{City: svc.City, Zone: zone}.String(), &kv.GetOptions{CacheTTL: 120}) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(raw)
}

// Find loads the session of plate in zone.
func (svc *Service) Find(zone, plate string) (*Session, error) {
	raw, err := svc.NS.Get(kvkeys.ParkingKey{City: svc.City, Zone: zone, Plate: plate})
	if err != nil {
		return nil, err
	}
	s := &Session{ns: svc.NS}
	return s, json.Unmarshal([]byte(raw), s)
}

// Start begins a paid session of minutes for plate.
func (svc *Service) Start(zone, plate, phone string, minutes int) (*Session, error) {
	zc, err := svc.zoneConfig(zone)
	if err != nil {
		return nil, err
	}
	if zc.Closed || minutes > zc.MaxMinutes {
		return nil, ErrZoneClosed
	}
	cph, err := svc.tariff(zone)
	if err != nil {
		return nil, err
	}
	now := svc.Clock.Now()
	s := &Session{
		City: svc.City, Zone: zone, Plate: kvkeys.NormalizePlate(plate), Phone: phone,
		StartedAt: now, EndsAt: now.Add(time.Duration(minutes) * time.Minute),
		PaidCents: cph * minutes / 60, ns: svc.NS,
	}
	return s, s.Save()
}

// Extend adds minutes to a running session.
func (svc *Service) Extend(zone, plate string, minutes int) (*Session, error) {
	s, err := svc.Find(zone, plate)
	if err != nil {
		return nil, err
	}
	cph, err := svc.tariff(zone)
	if err != nil {
		return nil, err
	}
	s.EndsAt = s.EndsAt.Add(time.Duration(minutes) * time.Minute)
	s.PaidCents += cph * minutes / 60
	return s, s.Save() // EXPECT kvsession|kvrace
}

// Stop ends a session early.
func (svc *Service) Stop(zone, plate string) error {
	s, err := svc.Find(zone, plate)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.Delete() // DEBATABLE kvsession
}

// Zones returns the zone names configured for the city.
func (svc *Service) Zones() ([]string, error) {
	prefix := "zones/" + svc.City + "/"
	res, err := svc.NS.Page(prefix, "", 0) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, prefix))
	}
	return names, nil
}

// ActivePlates lists the plates with a session in zone.
func (svc *Service) ActivePlates(zone string) ([]string, error) {
	prefix := kvkeys.ParkingPrefix(svc.City, zone)
	var plates []string
	cursor := ""
	for {
		res, err := svc.NS.Page(prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			plates = append(plates, strings.TrimPrefix(k.Name, prefix))
		}
		cursor = res.Cursor
	}
	return plates, nil
}

// Overstays returns sessions of zone that ended before now, up to maxPages
// pages of keys.
func (svc *Service) Overstays(zone string, maxPages int) ([]*Session, error) {
	prefix := kvkeys.ParkingPrefix(svc.City, zone)
	now := svc.Clock.Now()
	var out []*Session
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := svc.NS.Page(prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			raw, err := svc.NS.Get(kvkeys.Raw(k.Name)) // EXPECT kvlist
			if errors.Is(err, domain.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			var s Session
			if err := json.Unmarshal([]byte(raw), &s); err != nil {
				continue
			}
			if s.EndsAt.Before(now) {
				out = append(out, &s)
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return out, nil
}

// ExpiringSoon returns the keys of every session in the city whose key
// expires within d.
func (svc *Service) ExpiringSoon(d time.Duration) ([]string, error) {
	limit := int(svc.Clock.Now().Add(d).Unix())
	var keys []string
	opts := &kv.ListOptions{Prefix: "park/" + svc.City + "/"}
	for {
		res, err := svc.NS.Raw().List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			if k.Expiration > 0 && k.Expiration <= limit {
				keys = append(keys, k.Name)
			}
		}
		if res.ListComplete {
			return keys, nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
}

// CountSessions counts the city's sessions, stopping after maxPages pages.
func (svc *Service) CountSessions(maxPages int) (int, bool, error) {
	n := 0
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := svc.NS.Page("park/"+svc.City+"/", cursor, 1000)
		if err != nil {
			return 0, false, err
		}
		n += len(res.Keys)
		if res.ListComplete {
			return n, true, nil
		}
		cursor = res.Cursor
	}
	return n, false, nil
}

// SessionPage returns one page of session keys for the admin console.
func (svc *Service) SessionPage(zone, cursor string) ([]string, string, error) {
	res, err := svc.NS.Page(kvkeys.ParkingPrefix(svc.City, zone), cursor, 2000) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	keys := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		keys = append(keys, k.Name)
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	return keys, next, nil
}
