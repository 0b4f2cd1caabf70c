package partner

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"example.com/pylon/internal/storage"
)

// Profile is a partner lab's directory entry.
type Profile struct {
	PartnerID string
	Name      string
	Contact   string
	Labs      []string
	Seeded    time.Time
}

// Directory stores partner profiles.
type Directory struct {
	store storage.ReadWriter
	now   func() time.Time
}

// NewDirectory wires the directory.
func NewDirectory(store storage.ReadWriter) *Directory {
	return &Directory{store: store, now: time.Now}
}

func profileKey(id string) string { return "partner:" + id }

func (d *Directory) load(ctx context.Context, id string) (Profile, error) {
	raw, err := d.store.Get(ctx, profileKey(id))
	if err != nil {
		return Profile{}, err
	}
	var p Profile
	return p, json.Unmarshal(raw, &p)
}

// AddLab attaches a lab site to a partner.
func (d *Directory) AddLab(ctx context.Context, partnerID, labID string) error {
	load, save := d.load, d.store.Put
	p, err := load(ctx, partnerID)
	if err != nil {
		return err
	}
	if slices.Contains(p.Labs, labID) {
		return nil
	}
	p.Labs = append(p.Labs, labID)
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return save(ctx, profileKey(partnerID), raw, storage.PutOptions{}) // EXPECT kvrace
}

// Seed creates a profile from the contract system the first time a partner
// calls the API.
func (d *Directory) Seed(ctx context.Context, upstream Profile) error {
	if _, err := d.store.Get(ctx, profileKey(upstream.PartnerID)); err != nil { // EXPECT kvnull
		upstream.Seeded = d.now().UTC()
		raw, err := json.Marshal(upstream)
		if err != nil {
			return err
		}
		return d.store.Put(ctx, profileKey(upstream.PartnerID), raw, storage.PutOptions{}) // DEBATABLE kvrace
	}
	return nil
}

// Replace overwrites a profile with the contract system's copy; the
// contract system is the source of truth for names and contacts.
func (d *Directory) Replace(ctx context.Context, p Profile) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return d.store.Put(ctx, profileKey(p.PartnerID), raw, storage.PutOptions{})
}
