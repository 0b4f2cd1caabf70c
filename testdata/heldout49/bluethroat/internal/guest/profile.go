//go:build js && wasm

package guest

import (
	"errors"
	"log"

	"github.com/syumai/workers/cloudflare"

	"github.com/tablekeep/bluethroat/internal/clock"
	"github.com/tablekeep/bluethroat/internal/edgekv"
	"github.com/tablekeep/bluethroat/internal/model"
)

// Profiles stores guest profiles under "guest:".
type Profiles struct {
	ns    *edgekv.Namespace
	clock clock.Clock
}

// NewProfiles keeps profiles in the GUESTS binding.
func NewProfiles(binding string, clk clock.Clock) *Profiles {
	return &Profiles{ns: edgekv.Open(binding, model.PrefixGuest), clock: clk}
}

// Profile is a guest profile loaded for one request. Callers change it and then
// call Save.
type Profile struct {
	p     model.GuestProfile
	dirty bool
}

// Load returns the guest's profile, or an empty one for a first-time guest.
func (g *Profiles) Load(guestID string) (*Profile, error) {
	pr := &Profile{p: model.GuestProfile{GuestID: guestID}}
	if err := g.ns.Load(guestID, &pr.p); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			pr.dirty = true
			return pr, nil
		}
		return nil, err
	}
	return pr, nil
}

// SetName updates the display name.
func (pr *Profile) SetName(name string) {
	if name == "" || name == pr.p.Name {
		return
	}
	pr.p.Name = name
	pr.dirty = true
}

// Save writes the profile if it changed.
func (g *Profiles) Save(pr *Profile) error {
	if !pr.dirty {
		return nil
	}
	pr.p.Version++
	if err := g.ns.Store(pr.p.GuestID, &pr.p, 0); err != nil { // EXPECT kvrace
		return err
	}
	pr.dirty = false
	return nil
}

// RecordVisit stamps the guest's last visit after the response has been sent.
func (g *Profiles) RecordVisit(guestID string) {
	now := g.clock.Now()
	cloudflare.WaitUntil(func() {
		var p model.GuestProfile
		if err := g.ns.Load(guestID, &p); err != nil {
			log.Printf("guest: visit %s: %v", guestID, err)
			return
		}
		p.LastVisit = now
		if err := g.ns.Store(guestID, &p, 0); err != nil { // EXPECT kvrace
			log.Printf("guest: visit %s: %v", guestID, err)
		}
	})
}
