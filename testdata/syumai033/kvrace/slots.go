package kvrace

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

// A store that hands out a pair of closures over one key: what load
// reads, save writes.
type slotStore struct{ ns *kv.Namespace }

func (s *slotStore) slot(key string) (func() (string, error), func(string) error) {
	load := func() (string, error) { return s.ns.GetString(key, nil) }
	save := func(v string) error { return s.ns.PutString(key, v, nil) }
	return load, save
}

type zoneRoster struct{ Couriers []string }

// A courier added to the zone's zoneRoster through the pair.
func (s *slotStore) checkIn(zone, courier string) error {
	load, save := s.slot("zoneRoster:" + zone)
	raw, err := load()
	if err != nil {
		return err
	}
	var r zoneRoster
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return err
		}
	}
	r.Couriers = append(r.Couriers, courier)
	b, _ := json.Marshal(r)
	return save(string(b)) // want `read-modify-write on one KV key`
}

// The zoneRoster replaced with the dispatcher's view: nothing read first.
func (s *slotStore) publish(zone string, r zoneRoster) error {
	_, save := s.slot("zoneRoster:" + zone)
	b, _ := json.Marshal(r)
	return save(string(b))
}

// Another key read than written: the zone's zoneRoster, then a courier's own.
func (s *slotStore) copyRoster(zone, courier string) error {
	load, _ := s.slot("zoneRoster:" + zone)
	raw, err := load()
	if err != nil {
		return err
	}
	_, save := s.slot("courier:" + courier)
	return save(raw + courier)
}
