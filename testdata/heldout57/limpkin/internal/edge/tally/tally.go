//go:build js && wasm

// Package tally keeps per-site parcel statistics at the edge.
package tally

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/limpkin-lockers/limpkin/internal/kvx"
)

// Counts are the per-isolate tallies not yet written.
type Counts struct {
	mu       sync.Mutex
	dropped  map[string]int
	screenUp map[string]int
}

// NewCounts returns empty tallies.
func NewCounts() *Counts {
	return &Counts{dropped: map[string]int{}, screenUp: map[string]int{}}
}

// Dropped records a parcel placed at site.
func (c *Counts) Dropped(site string) {
	c.mu.Lock()
	c.dropped[site]++
	c.mu.Unlock()
}

// ScreenView records a site screen refresh.
func (c *Counts) ScreenView(site string) {
	c.mu.Lock()
	c.screenUp[site]++
	c.mu.Unlock()
}

func dayKey(kind, site string, now time.Time) string {
	buf := make([]byte, 0, 48)
	buf = append(buf, kind...)
	buf = append(buf, ':')
	buf = append(buf, site...)
	buf = append(buf, ':')
	buf = kvx.Day(buf, now.Unix())
	return string(buf)
}

// Flush adds the pending drops of every site to the stored daily total.
func (c *Counts) Flush(ns *cloudflare.KVNamespace, now time.Time) error {
	c.mu.Lock()
	pending := c.dropped
	c.dropped = map[string]int{}
	views := c.screenUp
	c.screenUp = map[string]int{}
	c.mu.Unlock()

	ttl := kvx.Seconds(time.Until(kvx.EndOfDay(now, time.UTC)) + 48*time.Hour)
	for site, n := range pending {
		key := dayKey("parcels", site, now)
		prev, err := ns.GetString(key, nil)
		if err != nil {
			return err
		}
		total := n
		if prev != "<null>" {
			old, _ := strconv.Atoi(prev)
			total += old
		}
		if err := ns.PutString(key, strconv.Itoa(total), &cloudflare.KVNamespacePutOptions{ExpirationTTL: ttl}); err != nil { // EXPECT kvcounter|kvrace
			return err
		}
	}
	for site, n := range views {
		if err := ns.PutString(dayKey("views", site, now), strconv.Itoa(n), &cloudflare.KVNamespacePutOptions{ExpirationTTL: ttl}); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// Occupancy is published by the backend under "occupancy:<site>".
type Occupancy struct {
	Doors  int       `json:"doors"`
	Loaded int       `json:"loaded"`
	AsOf   time.Time `json:"as_of"`
}

// ReadOccupancy returns the published occupancy of site.
func ReadOccupancy(ns *cloudflare.KVNamespace, site string) (Occupancy, error) {
	var o Occupancy
	raw, err := ns.GetString(kvx.SiteKey("occupancy", site), &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		return o, err
	}
	err = json.Unmarshal([]byte(raw), &o) // EXPECT kvnull
	return o, err
}

// FreeDoors returns the number of free doors the backend last published.
func FreeDoors(ns *cloudflare.KVNamespace, site string) (int, error) {
	raw, err := ns.GetString(kvx.SiteKey("free-doors", site), &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil {
		return 0, err
	}
	if raw == "<null>" {
		return 0, nil
	}
	return strconv.Atoi(raw)
}

// Capacity returns the configured capacity of site, or fallback.
func Capacity(ns *cloudflare.KVNamespace, site string, fallback int) int {
	raw, err := ns.GetString(kvx.SiteKey("capacity", site), nil)
	if err != nil {
		return fallback
	}
	n, err := strconv.Atoi(raw) // DEBATABLE kvnull
	if err != nil {
		return fallback
	}
	return n
}
