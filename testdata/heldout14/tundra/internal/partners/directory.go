package partners

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.com/tundra/internal/storage"
)

// Listing is one entry of the public partner directory.
type Listing struct {
	Slug      string
	PartnerID string
}

// Directory serves the public partner pages.
type Directory struct {
	Store storage.Store
	Cache storage.Store
}

// All returns every claimed slug, for the sitemap.
func (d *Directory) All(ctx context.Context) ([]Listing, error) {
	var out []Listing
	cursor := ""
	for pages := 0; pages < 50; pages++ {
		page, err := d.Store.List(ctx, storage.ListQuery{Prefix: "slug:", Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			l := Listing{Slug: strings.TrimPrefix(k.Name, "slug:")}
			if p, ok := k.Metadata["partner"].(string); ok {
				l.PartnerID = p
			}
			out = append(out, l)
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}

// Resolve maps a public slug to a partner ID. Misses are cached briefly so
// crawlers probing random slugs stay off the primary namespace.
func (d *Directory) Resolve(ctx context.Context, slug string) (string, error) {
	ck := "resolve:" + slug
	if raw, err := d.Cache.Get(ctx, ck); err == nil {
		if string(raw) == "-" {
			return "", ErrNoPartner
		}
		return string(raw), nil
	}
	raw, err := d.Store.Get(ctx, "slug:"+slug)
	if storage.IsNotFound(err) {
		_ = d.Cache.Put(ctx, ck, []byte("-"), storage.WriteOpts{TTL: 30 * time.Second}) // EXPECT kvttl
		return "", ErrNoPartner
	}
	if err != nil {
		return "", err
	}
	_ = d.Cache.Put(ctx, ck, raw, storage.WriteOpts{TTL: 10 * time.Minute})
	return string(raw), nil
}

// RecordView counts a visit to a partner's public page.
func (d *Directory) RecordView(ctx context.Context, slug string) error {
	key := "views:" + slug
	n := 0
	raw, err := d.Store.Get(ctx, key)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if err == nil {
		if n, err = strconv.Atoi(string(raw)); err != nil {
			n = 0
		}
	}
	return d.Store.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.WriteOpts{}) // EXPECT kvcounter
}
