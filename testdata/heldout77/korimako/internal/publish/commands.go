package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/korimako/korimako/internal/kvstore"
	"github.com/korimako/korimako/internal/undo"
)

// Key layout of the publishing namespace.
func liveKey(site string) string              { return "sites/" + site + "/live" }
func historyKey(site string) string           { return "sites/" + site + "/history" }
func updatedKey(site string) string           { return "sites/" + site + "/updated_at" }
func pageKey(site, rev, path string) string   { return fmt.Sprintf("pages/%s/%s%s", site, rev, path) }
func navKey(site string) string               { return "nav/" + site }
func manifestKey(site, rev string) string     { return "manifests/" + site + "/" + rev }
func redirectKey(site, from string) string    { return "redirects/" + site + from }
func previewKey(token string) string          { return "previews/" + token }
func sitemapKey(site string) string           { return "sitemaps/" + site }
func draftKey(site, slug, user string) string { return "drafts/" + site + "/" + slug + "/" + user }
func renderCacheKey(site, path string) string { return "render/" + site + path }

var (
	_ undo.Command = (*SetLive)(nil)
	_ undo.Command = (*AppendHistory)(nil)
	_ undo.Command = (*AddRedirect)(nil)
	_ undo.Command = (*PutPreview)(nil)
	_ undo.Command = (*DeleteKey)(nil)
)

// SetLive points a site at a published revision.
type SetLive struct {
	St   *kvstore.Store
	Site string
	Rev  string

	prev    string
	hadPrev bool
}

func (c *SetLive) Describe() string { return "set live revision of " + c.Site + " to " + c.Rev }

func (c *SetLive) Do(ctx context.Context) error {
	prev, err := c.St.Get(ctx, liveKey(c.Site))
	switch {
	case err == nil:
		c.prev, c.hadPrev = prev, true
	case errors.Is(err, kvstore.ErrNotFound):
		c.hadPrev = false
	default:
		return err
	}
	return c.St.Put(ctx, liveKey(c.Site), c.Rev, 0)
}

func (c *SetLive) Undo(ctx context.Context) error {
	if !c.hadPrev {
		return c.St.Delete(ctx, liveKey(c.Site))
	}
	return c.St.Put(ctx, liveKey(c.Site), c.prev, 0) // DEBATABLE kvrace
}

// AppendHistory records a published revision in the site's history list,
// which the rollback picker shows newest first.
type AppendHistory struct {
	St   *kvstore.Store
	Site string
	Rev  string
	Max  int
}

func (c *AppendHistory) Describe() string { return "record revision " + c.Rev }

func (c *AppendHistory) load(ctx context.Context) ([]string, error) {
	raw, err := c.St.GetRaw(ctx, historyKey(c.Site))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var revs []string
	if err := json.Unmarshal(raw, &revs); err != nil {
		return nil, fmt.Errorf("history of %s: %w", c.Site, err)
	}
	return revs, nil
}

func (c *AppendHistory) Do(ctx context.Context) error {
	revs, err := c.load(ctx)
	if err != nil {
		return err
	}
	revs = append(revs, c.Rev)
	if c.Max > 0 && len(revs) > c.Max {
		revs = revs[len(revs)-c.Max:]
	}
	b, _ := json.Marshal(revs)
	return c.St.Put(ctx, historyKey(c.Site), string(b), 0) // EXPECT kvrace
}

func (c *AppendHistory) Undo(ctx context.Context) error {
	revs, err := c.load(ctx)
	if err != nil {
		return err
	}
	for i := len(revs) - 1; i >= 0; i-- {
		if revs[i] == c.Rev {
			revs = append(revs[:i], revs[i+1:]...)
			break
		}
	}
	b, _ := json.Marshal(revs)
	return c.St.Put(ctx, historyKey(c.Site), string(b), 0) // EXPECT kvrace
}

// AddRedirect creates one redirect rule. Each rule has its own key so that
// editors adding rules at the same time do not overwrite each other.
type AddRedirect struct {
	St   *kvstore.Store
	Site string
	From string
	To   string
	Code int
}

func (c *AddRedirect) Describe() string { return "redirect " + c.From + " to " + c.To }

func (c *AddRedirect) Do(ctx context.Context) error {
	v, _ := json.Marshal(struct {
		To   string `json:"to"`
		Code int    `json:"code"`
	}{c.To, c.Code})
	return c.St.PutWithMeta(ctx, redirectKey(c.Site, c.From), string(v), map[string]any{"to": c.To, "code": c.Code}, 0)
}

func (c *AddRedirect) Undo(ctx context.Context) error {
	return c.St.Delete(ctx, redirectKey(c.Site, c.From))
}

// PutPreview stores a preview link that resolves to a draft.
type PutPreview struct {
	St    *kvstore.Store
	Token string
	Ref   string
	TTL   time.Duration
}

func (c *PutPreview) Describe() string { return "create preview link" }

func (c *PutPreview) Do(ctx context.Context) error {
	return c.St.Put(ctx, previewKey(c.Token), c.Ref, c.TTL)
}

func (c *PutPreview) Undo(ctx context.Context) error {
	return c.St.Delete(ctx, previewKey(c.Token)) // DEBATABLE kvsession
}

// DeleteKey removes a key and keeps its value so the delete can be undone.
type DeleteKey struct {
	St  *kvstore.Store
	Key string
	TTL time.Duration

	saved string
	found bool
}

func (c *DeleteKey) Describe() string { return "delete " + c.Key }

func (c *DeleteKey) Do(ctx context.Context) error {
	v, err := c.St.Get(ctx, c.Key)
	switch {
	case err == nil:
		c.saved, c.found = v, true
	case errors.Is(err, kvstore.ErrNotFound):
		return nil
	default:
		return err
	}
	return c.St.Delete(ctx, c.Key)
}

func (c *DeleteKey) Undo(ctx context.Context) error {
	if !c.found {
		return nil
	}
	return c.St.Put(ctx, c.Key, c.saved, c.TTL) // DEBATABLE kvrace
}
