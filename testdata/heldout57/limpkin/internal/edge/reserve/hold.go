//go:build js && wasm

// Package reserve places holds on locker doors for incoming parcels.
package reserve

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/limpkin-lockers/limpkin/internal/edge/edgekv"
	"github.com/limpkin-lockers/limpkin/internal/kvx"
)

// Kind is the reason a door is held.
type Kind string

const (
	KindStandard    Kind = "standard"
	KindExpress     Kind = "express"
	KindOvernight   Kind = "overnight"
	KindCourierSwap Kind = "swap"
)

// ErrTaken is returned when another order already holds the door.
var ErrTaken = errors.New("reserve: door already held")

// Hold is the value under a hold key.
type Hold struct {
	Site    string    `json:"site"`
	Door    int       `json:"door"`
	Order   string    `json:"order"`
	Kind    Kind      `json:"kind"`
	Until   time.Time `json:"until"`
	Courier string    `json:"courier,omitempty"`
}

// Policy tunes hold lifetimes per site.
type Policy struct {
	Location *time.Location
	Base     time.Duration
	Factor   float64
}

func (p Policy) lifetime(k Kind, now time.Time) time.Duration {
	var ttl time.Duration
	switch k {
	case KindExpress:
		ttl = kvx.Scale(p.Base, p.Factor/2)
	case KindCourierSwap:
		ttl = 45 * time.Second // EXPECT kvttl
	case KindOvernight:
		ttl = time.Until(kvx.EndOfDay(now.AddDate(0, 0, 1), p.Location))
		fallthrough
	default:
		ttl = max(ttl, kvx.Scale(p.Base, p.Factor), 2*time.Minute)
	}
	return ttl
}

// Desk places holds.
type Desk struct {
	Store  *edgekv.Store
	Policy Policy
}

// Claim holds door for order unless someone else holds it already.
func (d *Desk) Claim(site string, door int, order string, k Kind) (Hold, error) {
	key := kvx.HoldKey(site, door)
	cur, found, err := d.Store.Lookup(key)
	if err != nil {
		return Hold{}, err
	}
	if found {
		var h Hold
		if json.Unmarshal([]byte(cur), &h) == nil && h.Order != order {
			return h, ErrTaken
		}
	}
	now := time.Now()
	ttl := d.Policy.lifetime(k, now)
	h := Hold{Site: site, Door: door, Order: order, Kind: k, Until: now.Add(ttl)}
	raw, _ := json.Marshal(h)
	if err := d.Store.PutFor(key, string(raw), ttl); err != nil { // EXPECT kvrace
		return Hold{}, err
	}
	return h, nil
}

// Release drops the hold on door.
func (d *Desk) Release(site string, door int) error {
	return d.Store.Forget(kvx.HoldKey(site, door))
}

// Extend pushes every hold of an order forward by extra, for example when the
// carrier reports a delay. Each hold has its own key.
func (d *Desk) Extend(holds []Hold, extra time.Duration) error {
	var errs []error
	for i := range holds {
		h := &holds[i]
		h.Until = h.Until.Add(extra)
		raw, _ := json.Marshal(h)
		if err := d.Store.PutAtLeast(kvx.HoldKey(h.Site, h.Door), string(raw), time.Until(h.Until)); err != nil {
			errs = append(errs, fmt.Errorf("door %d: %w", h.Door, err))
		}
	}
	return errors.Join(errs...)
}

// Manifest is the per-site list of open holds that couriers download before
// a route; it lives under "holds:<site>".
type Manifest struct {
	Holds   []Hold    `json:"holds"`
	Updated time.Time `json:"updated"`
}

// AddToManifest records h in its site's manifest.
func (d *Desk) AddToManifest(h Hold) error {
	key := kvx.SiteKey("holds", h.Site)
	var m Manifest
	raw, found, err := d.Store.Lookup(key)
	if err != nil {
		return err
	}
	if found {
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			return err
		}
	}
	m.Holds = append(m.Holds, h)
	m.Updated = time.Now().UTC()
	out, _ := json.Marshal(m)
	return d.Store.PutAtLeast(key, string(out), 24*time.Hour) // EXPECT kvrace
}

// Swap moves a courier's parcel between two doors; the swap hold is short.
func (d *Desk) Swap(site string, from, to int, courier string) error {
	h := Hold{Site: site, Door: to, Order: fmt.Sprintf("swap-%d", from), Kind: KindCourierSwap, Courier: courier}
	ttl := d.Policy.lifetime(KindCourierSwap, time.Now())
	h.Until = time.Now().Add(ttl)
	raw, _ := json.Marshal(h)
	return d.Store.PutFor(kvx.HoldKey(site, to), string(raw), ttl)
}
