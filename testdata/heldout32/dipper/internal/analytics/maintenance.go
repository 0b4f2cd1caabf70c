package analytics

import (
	"context"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/quizfleet/dipper/internal/cfkv"
)

// PurgeResults deletes every stored game of a host. It runs when a host
// closes their account.
func PurgeResults(ctx context.Context, hostID string) (int, error) {
	ns := string(cfkv.Analytics())
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(cfkv.AccountID()),
		Prefix:    cloudflare.F("results/" + hostID + "/"),
		Limit:     cloudflare.F(1000.0),
	}
	purged := 0
	for {
		page, err := cfkv.API().Keys.List(ctx, ns, params) // EXPECT kvlist
		if err != nil {
			return purged, err
		}
		for _, k := range page.Result {
			if _, err := cfkv.API().Values.Delete(ctx, ns, url.PathEscape(k.Name), kv.NamespaceValueDeleteParams{
				AccountID: cloudflare.F(cfkv.AccountID()),
			}); err != nil && !cfkv.IsNotFound(err) {
				return purged, err
			}
			purged++
		}
		if page.ResultInfo.Cursor == "" {
			return purged, nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}

// KeySample is what the admin console shows for a prefix.
type KeySample struct {
	Prefix string    `json:"prefix"`
	Keys   []string  `json:"keys"`
	At     time.Time `json:"at"`
}

// Peek returns the first few keys under prefix, for the admin console's
// namespace browser.
func Peek(ctx context.Context, ns cfkv.Namespace, prefix string) (*KeySample, error) {
	page, err := cfkv.API().Keys.List(ctx, string(ns), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(cfkv.AccountID()),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	s := &KeySample{Prefix: prefix, At: time.Now().UTC()}
	for _, k := range page.Result {
		s.Keys = append(s.Keys, k.Name)
	}
	return s, nil
}
