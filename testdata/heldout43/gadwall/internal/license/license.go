// Package license holds licence records. A License is an active record: it
// is loaded by Licenses.Find, carries the namespace it came from, and saves,
// reloads and deletes itself.
package license

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gadwall/internal/clock"
	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
)

// Errors returned by this package.
var (
	ErrNotFound  = errors.New("license: not found")
	ErrSeatLimit = errors.New("license: seat limit reached")
	ErrRevoked   = errors.New("license: revoked")
	ErrExpired   = errors.New("license: expired")
)

// Status values of a licence.
const (
	StatusActive   = "active"
	StatusPastDue  = "past_due"
	StatusCanceled = "canceled"
	StatusRevoked  = "revoked"
)

// retention keeps lapsed licences so that renewals keep their activations.
const retention = 90 * 24 * time.Hour

// License is one licence key and its activations.
type License struct {
	ID            keys.LicenseID  `json:"id"`
	Customer      string          `json:"customer"`
	Product       string          `json:"product"`
	Plan          string          `json:"plan"`
	Seats         int             `json:"seats"`
	Machines      []string        `json:"machines"`
	Status        string          `json:"status"`
	Features      map[string]bool `json:"features,omitempty"`
	ExpiresAt     time.Time       `json:"expires_at,omitzero"`
	LastValidated time.Time       `json:"last_validated,omitzero"`
	UpdatedAt     time.Time       `json:"updated_at"`

	kv    kvstore.KV
	clock clock.Clock
}

// Licenses finds and creates licences in one namespace.
type Licenses struct {
	kv    kvstore.KV
	clock clock.Clock
}

// NewLicenses returns a finder bound to kv.
func NewLicenses(kv kvstore.KV, clk clock.Clock) *Licenses { return &Licenses{kv: kv, clock: clk} }

// Find loads the licence with the given ID.
func (r *Licenses) Find(ctx context.Context, id keys.LicenseID) (*License, error) {
	l := &License{ID: id, kv: r.kv, clock: r.clock}
	if err := l.Reload(ctx); err != nil {
		return nil, fmt.Errorf("license %s: %w", id, err)
	}
	return l, nil
}

// New returns an unsaved licence with a fresh key such as GDW-7QK2M4XZ9TBW3HRD.
func (r *Licenses) New(customer, product, plan string, seats int) *License {
	return &License{
		ID:       keys.LicenseID("GDW-" + rand.Text()[:16]),
		Customer: customer, Product: product, Plan: plan, Seats: seats,
		Status: StatusActive, Features: map[string]bool{},
		kv: r.kv, clock: r.clock,
	}
}

// Save writes the licence; lapsed licences expire from KV after the
// retention period.
func (l *License) Save(ctx context.Context) error {
	now := l.clock.Now()
	l.UpdatedAt = now
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if l.ExpiresAt.IsZero() {
		return l.kv.Put(ctx, l.ID, b)
	}
	ttl := l.ExpiresAt.Add(retention).Sub(now)
	if ttl < time.Hour {
		ttl = time.Hour
	}
	return l.kv.PutTTL(ctx, l.ID, b, ttl)
}

// Reload replaces the in-memory state with the stored one.
func (l *License) Reload(ctx context.Context) error {
	raw, err := l.kv.Get(ctx, l.ID)
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	kv, clk := l.kv, l.clock
	*l = License{}
	err = json.Unmarshal(raw, l)
	l.kv, l.clock = kv, clk
	return err
}

// Delete removes the licence record.
func (l *License) Delete(ctx context.Context) error { return l.kv.Delete(ctx, l.ID) }

// Usable reports why the licence cannot be used right now, if it cannot.
func (l *License) Usable() error {
	switch {
	case l.Status == StatusRevoked:
		return ErrRevoked
	case !l.ExpiresAt.IsZero() && l.clock.Now().After(l.ExpiresAt):
		return ErrExpired
	}
	return nil
}

// HasMachine reports whether fp is activated.
func (l *License) HasMachine(fp string) bool { return slices.Contains(l.Machines, fp) }

// RemoveMachine drops fp from the activation list.
func (l *License) RemoveMachine(fp string) bool {
	i := slices.Index(l.Machines, fp)
	if i >= 0 {
		l.Machines = slices.Delete(l.Machines, i, i+1)
	}
	return i >= 0
}
