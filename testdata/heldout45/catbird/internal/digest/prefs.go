//go:build !js

package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cloudflare/cloudflare-go"

	"catbird/internal/forum"
)

// Prefs reads and writes members' digest settings.
type Prefs struct {
	API         *cloudflare.API
	Account     *cloudflare.ResourceContainer
	NamespaceID string
}

// Change is what the settings page submits.
type Change struct {
	Categories []string `json:"categories"`
	Hour       *int     `json:"hour,omitempty"`
	Paused     *bool    `json:"paused,omitempty"`
}

// Apply merges c into the stored prefs of memberID.
func (s Prefs) Apply(ctx context.Context, memberID string, c Change) (forum.DigestPrefs, error) {
	key := forum.DigestPrefsKey(memberID)
	p := forum.DefaultDigestPrefs(memberID)
	raw, err := s.API.GetWorkersKV(ctx, s.Account, cloudflare.GetWorkersKVParams{NamespaceID: s.NamespaceID, Key: key}) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &p); err != nil {
			return forum.DigestPrefs{}, fmt.Errorf("digest: stored prefs for %s: %w", memberID, err)
		}
	}
	if c.Categories != nil {
		p.Categories = slices.Compact(slices.Sorted(slices.Values(c.Categories)))
	}
	if c.Hour != nil {
		if *c.Hour < 0 || *c.Hour > 23 {
			return forum.DigestPrefs{}, fmt.Errorf("digest: hour %d out of range", *c.Hour)
		}
		p.Hour = *c.Hour
	}
	if c.Paused != nil {
		p.Paused = *c.Paused
	}
	out, err := json.Marshal(p)
	if err != nil {
		return forum.DigestPrefs{}, err
	}
	_, err = s.API.WriteWorkersKVEntry(ctx, s.Account, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.NamespaceID, Key: key, Value: out}) // EXPECT kvrace
	return p, err
}
