package feeds

import (
	"context"
	"encoding/json"
	"time"

	"example.com/ibex/internal/edgekv"
	"example.com/ibex/internal/keys"
	"example.com/ibex/internal/lifetime"
)

// FeedSettings control how a show's private feed is rendered.
type FeedSettings struct {
	ItemLimit      int    `json:"item_limit"`
	IncludeBonus   bool   `json:"include_bonus"`
	ArtworkVariant string `json:"artwork_variant"`
}

var defaultFeedSettings = FeedSettings{ItemLimit: 300, IncludeBonus: true, ArtworkVariant: "square"}

func settingsKey(showID string) string { return "feedsettings:" + showID }

// EnsureSettings writes the default settings for a show that has none.
func (t *TokenStore) EnsureSettings(ctx context.Context, showID string) error {
	if _, err := t.kv.Read(ctx, t.ns, settingsKey(showID)); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(defaultFeedSettings)
		return t.kv.Write(ctx, t.ns, settingsKey(showID), b)
	}
	return nil
}

// CacheRendered stores the rendered XML of a private feed. The XML is
// derived from the catalog, not from what is stored here.
func (t *TokenStore) CacheRendered(ctx context.Context, showID, variant string, xml []byte) error {
	key := "feedxml:" + showID + ":" + keys.Hash(variant)
	return t.kv.Write(ctx, t.ns, key, xml, edgekv.WithTTL(lifetime.Hour.Duration()))
}

// Rendered returns a cached rendering, if any.
func (t *TokenStore) Rendered(ctx context.Context, showID, variant string) ([]byte, bool, error) {
	return t.kv.Lookup(ctx, t.ns, "feedxml:"+showID+":"+keys.Hash(variant))
}

// Embargo hides a show's feed from token holders until at.
func (t *TokenStore) Embargo(ctx context.Context, showID string, at time.Time) error {
	if time.Until(at) < lifetime.Floor {
		return nil
	}
	return t.kv.Write(ctx, t.ns, "embargo:"+showID, []byte(at.UTC().Format(time.RFC3339)), edgekv.WithExpireAt(at))
}
