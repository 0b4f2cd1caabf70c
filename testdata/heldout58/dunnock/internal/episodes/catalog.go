package episodes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/samber/lo"

	"dunnock/internal/kvstore"
)

// Catalog reads episode projections back out of KV.
type Catalog struct {
	kv kvstore.Store
}

// NewCatalog returns a Catalog over kv.
func NewCatalog(kv kvstore.Store) *Catalog { return &Catalog{kv: kv} }

const (
	pageSize     = 1000
	maxSitemapPg = 20
)

// EpisodeKeys returns every episode key of a show.
func (c *Catalog) EpisodeKeys(ctx context.Context, show string) ([]string, error) {
	prefix := fmt.Sprintf("ep/%s/", show)
	var keys []string
	cursor := ""
	for {
		page, err := c.kv.List(ctx, prefix, cursor, pageSize) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		keys = append(keys, page.Keys...)
		if page.Done {
			break
		}
		cursor = page.Cursor
	}
	return keys, nil
}

// SitemapKeys returns episode keys for the sitemap, capped at a fixed number
// of pages so that a huge catalog cannot stall the request.
func (c *Catalog) SitemapKeys(ctx context.Context) ([]string, string, error) {
	var keys []string
	cursor := ""
	for range maxSitemapPg {
		page, err := c.kv.List(ctx, "ep/", cursor, pageSize)
		if err != nil {
			return nil, "", err
		}
		keys = append(keys, page.Keys...)
		if page.Done {
			return keys, "", nil
		}
		cursor = page.Cursor
	}
	return keys, cursor, nil
}

// Page returns one page of a show's episodes and the cursor for the next.
func (c *Catalog) Page(ctx context.Context, show, cursor string, limit int) (kvstore.Page, error) {
	limit = min(max(limit, 1), pageSize)
	return c.kv.List(ctx, fmt.Sprintf("ep/%s/", show), cursor, limit)
}

// Recent loads the manifests of the first n episodes in key order.
func (c *Catalog) Recent(ctx context.Context, show string, n int) ([]Episode, error) {
	page, err := c.Page(ctx, show, "", n)
	if err != nil {
		return nil, err
	}
	eps := make([]Episode, 0, len(page.Keys))
	for _, key := range page.Keys {
		var ep Episode
		if err := kvstore.GetJSON(ctx, c.kv, key, &ep); err != nil { // EXPECT kvlist
			return nil, err
		}
		eps = append(eps, ep)
	}
	return eps, nil
}

// Episode loads one manifest.
func (c *Catalog) Episode(ctx context.Context, show string, number int) (Episode, bool, error) {
	var ep Episode
	err := kvstore.GetJSON(ctx, c.kv, kvstore.EpisodeKey{Show: show, Number: number}.String(), &ep)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Episode{}, false, nil
	}
	return ep, err == nil, err
}

// TaggedIDs returns the episode IDs carrying tag, walking the tag prefix.
func (c *Catalog) TaggedIDs(ctx context.Context, tag string) ([]string, error) {
	prefix := "tag/" + tag + "/"
	var ids []string
	cursor := ""
	for {
		page, err := c.kv.List(ctx, prefix, cursor, pageSize) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Keys) == 0 {
			break
		}
		lo.ForEach(page.Keys, func(k string, _ int) { ids = append(ids, strings.TrimPrefix(k, prefix)) })
		cursor = page.Cursor
	}
	return ids, nil
}

// TaggedIDsBudget is TaggedIDs with a key budget and a deadline.
func (c *Catalog) TaggedIDsBudget(ctx context.Context, tag string, budget int) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	prefix := "tag/" + tag + "/"
	var ids []string
	cursor := ""
	for len(ids) < budget {
		page, err := c.kv.List(ctx, prefix, cursor, min(pageSize, budget-len(ids)))
		if err != nil {
			return ids, err
		}
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k, prefix))
		}
		if page.Done {
			break
		}
		cursor = page.Cursor
	}
	return ids, nil
}
