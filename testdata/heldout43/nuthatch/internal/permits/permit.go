//go:build !js

// Package permits issues and manages residential, business and visitor
// parking permits. Permits are active records: a Permit found through a
// Finder carries the namespace of its city and saves itself.
package permits

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cityparking/nuthatch/internal/clock"
	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/kvkeys"
	"github.com/cityparking/nuthatch/internal/kvstore"
	"github.com/cityparking/nuthatch/internal/retry"
)

// Status is the lifecycle state of a permit.
type Status string

const (
	StatusActive  Status = "active"
	StatusRevoked Status = "revoked"
)

// Kind is the permit class.
type Kind string

const (
	KindResidential Kind = "residential"
	KindBusiness    Kind = "business"
	KindVisitor     Kind = "visitor"
)

// retention keeps expired permits around for appeals.
const retention = 45 * 24 * time.Hour

// ErrPlateTaken is returned when a plate already holds a permit in the city.
var ErrPlateTaken = errors.New("permits: plate already holds a permit")

// ErrVisitorQuota is returned when a resident has used all visitor passes.
var ErrVisitorQuota = errors.New("permits: visitor pass quota used up")

// Permit is a parking permit bound to its city's namespace.
type Permit struct {
	ID         string    `json:"id"`
	City       string    `json:"city"`
	Zone       string    `json:"zone"`
	Plate      string    `json:"plate"`
	HolderID   string    `json:"holder_id"`
	Kind       Kind      `json:"kind"`
	Status     Status    `json:"status"`
	Reason     string    `json:"reason,omitempty"`
	IssuedAt   time.Time `json:"issued_at"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until"`
	Replaces   string    `json:"replaces,omitempty"`

	store *kvstore.Store
	clock clock.Clock
}

func (p *Permit) key() kvkeys.PermitKey { return kvkeys.PermitKey{City: p.City, ID: p.ID} }

// Active reports whether the permit is valid at t.
func (p *Permit) Active(t time.Time) bool {
	return p.Status == StatusActive && !t.Before(p.ValidFrom) && t.Before(p.ValidUntil)
}

// Save writes the permit. It is kept until the retention period after expiry.
func (p *Permit) Save(ctx context.Context) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	ttl := p.ValidUntil.Add(retention).Sub(p.clock.Now())
	if ttl < time.Hour {
		ttl = time.Hour
	}
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		return p.store.Put(ctx, p.key().String(), body, ttl)
	})
}

// Reload replaces the permit's fields with the stored copy.
func (p *Permit) Reload(ctx context.Context) error {
	raw, err := p.store.Get(ctx, p.key().String())
	if err != nil {
		return err
	}
	store, clk := p.store, p.clock
	if err := json.Unmarshal(raw, p); err != nil {
		return err
	}
	p.store, p.clock = store, clk
	return nil
}

// Delete removes the permit record.
func (p *Permit) Delete(ctx context.Context) error {
	return p.store.Delete(ctx, p.key().String())
}

// Finder loads permits from the namespace of their city.
type Finder struct {
	Tenants *kvstore.Registry
	Clock   clock.Clock
}

// Find returns the permit id of city, bound to the city's store.
func (f *Finder) Find(ctx context.Context, city, id string) (*Permit, error) {
	t, err := f.Tenants.For(city)
	if err != nil {
		return nil, err
	}
	raw, err := retry.DoValue(ctx, retry.Default, func(ctx context.Context) ([]byte, error) {
		return t.KV.Get(ctx, kvkeys.PermitKey{City: t.City, ID: id}.String())
	})
	if err != nil {
		return nil, err
	}
	p := &Permit{store: t.KV, clock: f.Clock}
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, fmt.Errorf("permit %s/%s: %w", city, id, err)
	}
	return p, nil
}

// FindByPlate resolves the plate index and loads the permit.
func (f *Finder) FindByPlate(ctx context.Context, city, plate string) (*Permit, error) {
	t, err := f.Tenants.For(city)
	if err != nil {
		return nil, err
	}
	id, err := t.KV.Get(ctx, kvkeys.PlateKey{City: t.City, Plate: plate}.String())
	if err != nil {
		return nil, err
	}
	return f.Find(ctx, city, string(id))
}

// New returns an unsaved permit with a fresh ID, bound to city's store.
func (f *Finder) New(city string) (*Permit, error) {
	t, err := f.Tenants.For(city)
	if err != nil {
		return nil, err
	}
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return &Permit{
		ID:       "pmt_" + hex.EncodeToString(b[:]),
		City:     t.City,
		Status:   StatusActive,
		IssuedAt: f.Clock.Now(),
		store:    t.KV,
		clock:    f.Clock,
	}, nil
}

// IssueRequest describes a permit application that was approved.
type IssueRequest struct {
	City     string
	Zone     string
	Plate    string
	HolderID string
	Kind     Kind
	Months   int
}

// Issuer creates, renews and revokes permits.
type Issuer struct {
	Finder *Finder
	// VisitorPassesPerMonth limits visitor passes per resident.
	VisitorPassesPerMonth int
}

// Issue creates a permit and claims its plate.
func (is *Issuer) Issue(ctx context.Context, req IssueRequest) (*Permit, error) {
	p, err := is.Finder.New(req.City)
	if err != nil {
		return nil, err
	}
	now := p.clock.Now()
	p.Zone, p.Plate, p.HolderID, p.Kind = req.Zone, kvkeys.NormalizePlate(req.Plate), req.HolderID, req.Kind
	p.ValidFrom = now
	p.ValidUntil = now.AddDate(0, max(req.Months, 1), 0)
	if err := is.claimPlate(ctx, p); err != nil {
		return nil, err
	}
	if err := p.Save(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

func (is *Issuer) claimPlate(ctx context.Context, p *Permit) error {
	key := kvkeys.PlateKey{City: p.City, Plate: p.Plate}.String()
	_, err := p.store.Get(ctx, key)
	switch {
	case err == nil:
		return ErrPlateTaken
	case !errors.Is(err, domain.ErrNotFound):
		return err
	}
	return p.store.Put(ctx, key, []byte(p.ID), 0) // EXPECT kvrace
}

// Revoke marks a permit revoked and releases its plate.
func (is *Issuer) Revoke(ctx context.Context, city, id, reason string) error {
	p, err := is.Finder.Find(ctx, city, id)
	if err != nil {
		return err
	}
	p.Status = StatusRevoked
	p.Reason = reason
	if err := p.Save(ctx); err != nil { // EXPECT kvrace
		return err
	}
	return p.store.Delete(ctx, kvkeys.PlateKey{City: p.City, Plate: p.Plate}.String())
}

// Renew issues a successor permit that starts when the old one ends. The old
// record is left untouched for the audit trail.
func (is *Issuer) Renew(ctx context.Context, city, id string, months int) (*Permit, error) {
	old, err := is.Finder.Find(ctx, city, id)
	if err != nil {
		return nil, err
	}
	if old.Status != StatusActive {
		return nil, fmt.Errorf("permit %s is %s: %w", id, old.Status, domain.ErrExpired)
	}
	next, err := is.Finder.New(city)
	if err != nil {
		return nil, err
	}
	next.Zone, next.Plate, next.HolderID, next.Kind = old.Zone, old.Plate, old.HolderID, old.Kind
	next.ValidFrom = old.ValidUntil
	next.ValidUntil = old.ValidUntil.AddDate(0, max(months, 1), 0)
	next.Replaces = old.ID
	if err := next.Save(ctx); err != nil {
		return nil, err
	}
	return next, next.store.Put(ctx, kvkeys.PlateKey{City: city, Plate: next.Plate}.String(), []byte(next.ID), 0)
}

// IssueVisitorPass creates a one-day visitor permit against the resident's
// monthly allowance.
func (is *Issuer) IssueVisitorPass(ctx context.Context, resident *Permit, plate string) (*Permit, error) {
	month := resident.clock.Now().Format("2006-01")
	usedKey := "quota/visitor/" + resident.HolderID + "/" + month
	used := 0
	raw, err := resident.store.Get(ctx, usedKey)
	switch {
	case err == nil:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return nil, fmt.Errorf("visitor quota %s: %w", usedKey, err)
		}
	case !errors.Is(err, domain.ErrNotFound):
		return nil, err
	}
	if used >= is.VisitorPassesPerMonth {
		return nil, ErrVisitorQuota
	}
	pass, err := is.Finder.New(resident.City)
	if err != nil {
		return nil, err
	}
	now := pass.clock.Now()
	pass.Zone, pass.Plate, pass.HolderID, pass.Kind = resident.Zone, kvkeys.NormalizePlate(plate), resident.HolderID, KindVisitor
	pass.ValidFrom, pass.ValidUntil = now, now.Add(24*time.Hour)
	if err := pass.Save(ctx); err != nil {
		return nil, err
	}
	return pass, resident.store.Put(ctx, usedKey, []byte(strconv.Itoa(used+1)), 40*24*time.Hour) // EXPECT kvcounter|kvrace
}
