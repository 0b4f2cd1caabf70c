package articles

import (
	"context"
	"encoding/json"
	"strings"
	"unicode"

	"example.com/feeds/internal/kv"
)

// Taxonomy keeps tag:<tag> pages: a map of article ID to title.
type Taxonomy struct {
	load func(ctx context.Context, key string) ([]byte, error)
	save func(ctx context.Context, key string, value []byte, opts kv.PutOptions) error
	drop func(ctx context.Context, key string) error
}

// NewTaxonomy binds the taxonomy to store.
func NewTaxonomy(store kv.Store) *Taxonomy {
	return &Taxonomy{load: store.Get, save: store.Put, drop: store.Delete}
}

// NormalizeTag lower-cases tag and replaces runs of non-alphanumerics with '-'.
func NormalizeTag(tag string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(tag)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Tag adds the article to the tag's page.
func (t *Taxonomy) Tag(ctx context.Context, tag, articleID, title string) error {
	key := "tag:" + NormalizeTag(tag)
	members := map[string]string{}
	raw, err := t.load(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &members); err != nil {
			return err
		}
	case !kv.IsNotFound(err):
		return err
	}
	members[articleID] = title
	b, err := json.Marshal(members)
	if err != nil {
		return err
	}
	return t.save(ctx, key, b, kv.PutOptions{}) // EXPECT kvrace
}

// Replace writes a tag page computed elsewhere (the nightly rebuild).
func (t *Taxonomy) Replace(ctx context.Context, tag string, members map[string]string) error {
	key := "tag:" + NormalizeTag(tag)
	if len(members) == 0 {
		return t.drop(ctx, key)
	}
	b, err := json.Marshal(members)
	if err != nil {
		return err
	}
	return t.save(ctx, key, b, kv.PutOptions{})
}
