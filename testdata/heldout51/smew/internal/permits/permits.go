// Package permits stores resident parking permits and the plate index that
// enforcement officers scan against.
package permits

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"example.com/smew/internal/kvstore"
)

// MaxPlates is how many vehicles one household permit may cover.
const MaxPlates = 3

var (
	// ErrNotFound is returned for an unknown permit id.
	ErrNotFound = errors.New("permits: no such permit")
	// ErrTooManyPlates is returned when a permit already covers MaxPlates.
	ErrTooManyPlates = errors.New("permits: plate limit reached")
)

// Permit is one resident permit.
type Permit struct {
	ID       string    `json:"id"`
	Resident string    `json:"resident"`
	District string    `json:"district"`
	Zone     string    `json:"zone"`
	Plates   []string  `json:"plates"`
	Expires  time.Time `json:"expires"`
	Renewals int       `json:"renewals"`
}

// Valid reports whether the permit covers plate in zone at t.
func (p Permit) Valid(plate, zone string, t time.Time) bool {
	return !t.After(p.Expires) && p.Zone == zone && slices.Contains(p.Plates, NormalizePlate(plate))
}

// NormalizePlate upper-cases a plate and strips spaces and dashes.
func NormalizePlate(p string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.ToUpper(p))
}

// Store keeps permits under permit:<id> and a plate index under
// plate:<plate> whose value is the permit id.
type Store struct {
	kvstore.Base
	index kvstore.Base
}

// NewStore wires the record and index hooks over st.
func NewStore(st kvstore.Store) *Store {
	s := &Store{}
	s.Base = kvstore.Base{
		Store:  st,
		KeyFor: func(id string) string { return "permit:" + id },
		Encode: json.Marshal,
		Decode: json.Unmarshal,
	}
	s.index = kvstore.Base{
		Store:  st,
		KeyFor: func(plate string) string { return "plate:" + NormalizePlate(plate) },
		Encode: func(v any) ([]byte, error) { return []byte(v.(string)), nil },
		Decode: func(b []byte, v any) error {
			*(v.(*string)) = string(b)
			return nil
		},
	}
	return s
}

// Get returns the permit with id.
func (s *Store) Get(ctx context.Context, id string) (kvstore.Optional[Permit], error) {
	var p Permit
	ok, err := s.Load(ctx, id, &p)
	if err != nil || !ok {
		return kvstore.None[Permit](), err
	}
	return kvstore.Some(p), nil
}

// ByPlate follows the plate index to the permit.
func (s *Store) ByPlate(ctx context.Context, plate string) (kvstore.Optional[Permit], error) {
	var id string
	ok, err := s.index.Load(ctx, plate, &id)
	if err != nil || !ok {
		return kvstore.None[Permit](), err
	}
	return s.Get(ctx, id)
}

// Issue stores a new permit and its plate index entries.
func (s *Store) Issue(ctx context.Context, p Permit) error {
	if err := s.Save(ctx, p.ID, p); err != nil {
		return err
	}
	entries := make([]kvstore.Entry, 0, len(p.Plates))
	for _, plate := range p.Plates {
		entries = append(entries, kvstore.Entry{Key: s.index.KeyFor(plate), Value: []byte(p.ID)})
	}
	return kvstore.PutAll(ctx, s.Base.Store, entries)
}

// AddPlate attaches another vehicle to a permit.
func (s *Store) AddPlate(ctx context.Context, id, plate string) (Permit, error) {
	var p Permit
	err := s.Modify(ctx, id, &p, func() error {
		if p.ID == "" {
			return ErrNotFound
		}
		if len(p.Plates) >= MaxPlates {
			return ErrTooManyPlates
		}
		p.Plates = append(p.Plates, NormalizePlate(plate))
		return nil
	})
	if err != nil {
		return Permit{}, err
	}
	if err := s.index.Save(ctx, plate, id); err != nil {
		return Permit{}, err
	}
	return p, nil
}

// Renew extends a permit by one term, counting from today when it has
// already lapsed.
func (s *Store) Renew(ctx context.Context, id string, term time.Duration) (Permit, error) {
	var p Permit
	ok, err := s.Load(ctx, id, &p)
	if err != nil {
		return Permit{}, err
	}
	if !ok {
		return Permit{}, ErrNotFound
	}
	from := p.Expires
	if now := time.Now().UTC(); from.Before(now) {
		from = now
	}
	p.Expires = from.Add(term)
	p.Renewals++
	if err := s.Save(ctx, id, p); err != nil { // EXPECT kvrace
		return Permit{}, err
	}
	return p, nil
}
