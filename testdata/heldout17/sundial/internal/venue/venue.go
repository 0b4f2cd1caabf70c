// Package venue manages the venues that host events: their public record,
// their slug, and their seating plan.
package venue

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/d1"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
)

// Section is a block of seats priced together.
type Section struct {
	Name      string `json:"name"`
	Rows      int    `json:"rows"`
	PerRow    int    `json:"per_row"`
	PriceCode string `json:"price_code"`
}

// Venue is the public record of a venue.
type Venue struct {
	Slug      string    `json:"slug"`
	Tenant    string    `json:"tenant"`
	Name      string    `json:"name"`
	Address   string    `json:"address"`
	Timezone  string    `json:"timezone"`
	Sections  []Section `json:"sections"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Capacity is the number of seats across all sections.
func (v Venue) Capacity() int {
	n := 0
	for _, s := range v.Sections {
		n += s.Rows * s.PerRow
	}
	return n
}

var (
	// ErrNotFound is returned for an unknown venue.
	ErrNotFound = errors.New("venue: not found")
	// ErrSlugTaken is returned when another tenant owns the slug.
	ErrSlugTaken = errors.New("venue: slug already taken")
	// ErrBadSlug is returned for a slug that is not URL-safe.
	ErrBadSlug = errors.New("venue: slug must be 3-48 lowercase letters, digits or dashes")
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,47}$`)

// baseRepo stores JSON documents under one key family.
type baseRepo[T any] struct {
	st    storage.Store
	codec codec.Codec[T]
	key   func(id string) keys.Key
}

func (r baseRepo[T]) Find(ctx context.Context, id string) (T, error) {
	return storage.GetAs(ctx, r.st, r.key(id).String(), r.codec)
}

func (r baseRepo[T]) Save(ctx context.Context, id string, v T) error {
	return storage.PutAs(ctx, r.st, r.key(id).String(), v, r.codec, storage.PutOptions{})
}

// Repo is the venue repository. D1 holds the venues; KV holds the public
// projection that the edge reads.
type Repo struct {
	baseRepo[Venue]
	table d1.Table[Venue]
}

// NewRepo returns a Repo on st and table.
func NewRepo(st storage.Store, table d1.Table[Venue]) *Repo {
	return &Repo{
		baseRepo: baseRepo[Venue]{st: st, codec: codec.JSON[Venue]{}, key: keys.Venue},
		table:    table,
	}
}

// Find overrides the base lookup: the projection is filled from D1 on a miss.
func (r *Repo) Find(ctx context.Context, slug string) (Venue, error) {
	v, err := r.baseRepo.Find(ctx, slug)
	if err == nil {
		return v, nil
	}
	if !storage.IsNotFound(err) {
		return v, err
	}
	v, err = r.table.Get(ctx, slug)
	if errors.Is(err, d1.ErrNoRows) {
		return v, ErrNotFound
	}
	if err != nil {
		return v, err
	}
	if err := r.baseRepo.Save(ctx, slug, v); err != nil {
		return v, fmt.Errorf("venue: refresh projection: %w", err)
	}
	return v, nil
}

// Page is one page of venues for the public directory.
type Page struct {
	Slugs  []string `json:"slugs"`
	Cursor string   `json:"cursor,omitempty"`
}

// List returns one page of venue slugs and the cursor of the next page.
func (r *Repo) List(ctx context.Context, cursor string, limit int) (Page, error) {
	l, ok := storage.AsLister(r.st)
	if !ok {
		return Page{}, errors.New("venue: store cannot list")
	}
	p, err := l.List(ctx, storage.ListOptions{Prefix: keys.PrefixVenue, Cursor: cursor, Limit: limit})
	if err != nil {
		return Page{}, err
	}
	out := Page{Slugs: make([]string, 0, len(p.Keys))}
	for _, k := range p.Keys {
		out.Slugs = append(out.Slugs, k.Name[len(keys.PrefixVenue):])
	}
	if !p.Complete {
		out.Cursor = p.Cursor
	}
	return out, nil
}
