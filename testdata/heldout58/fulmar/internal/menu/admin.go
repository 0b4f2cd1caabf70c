package menu

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/samber/lo"

	"fulmar/internal/keys"
	"fulmar/internal/kvstore"
)

// Admin backs the back-office views that look across venues. It talks to the
// v3 client directly because it needs key metadata.
type Admin struct {
	client    *cf.Client
	accountID string
	ns        string
}

// NewAdmin wraps a v3 store's client.
func NewAdmin(s *kvstore.V3) *Admin {
	c, acct, ns := s.Client()
	return &Admin{client: c, accountID: acct, ns: ns}
}

// Venues lists every venue that has at least one published menu.
func (a *Admin) Venues(ctx context.Context) ([]keys.Venue, error) {
	iter := a.client.KV.Namespaces.Keys.ListAutoPaging(ctx, a.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cf.F(a.accountID),
		Prefix:    cf.F("menu:menu:"),
	})
	var venues []keys.Venue
	for iter.Next() {
		parts := strings.SplitN(iter.Current().Name, ":", 4)
		if len(parts) == 4 {
			venues = append(venues, keys.Venue(parts[2]))
		}
	}
	return lo.Uniq(venues), iter.Err()
}

// SearchVenues returns up to limit venue slugs starting with q.
func (a *Admin) SearchVenues(ctx context.Context, q string, limit int) ([]keys.Venue, error) {
	iter := a.client.KV.Namespaces.Keys.ListAutoPaging(ctx, a.ns, kv.NamespaceKeyListParams{
		AccountID: cf.F(a.accountID),
		Prefix:    cf.F("menu:menu:" + q),
		Limit:     cf.F(100.0),
	})
	seen := map[keys.Venue]bool{}
	for iter.Next() && len(seen) < limit {
		parts := strings.SplitN(iter.Current().Name, ":", 4)
		if len(parts) == 4 {
			seen[keys.Venue(parts[2])] = true
		}
	}
	return lo.Keys(seen), iter.Err()
}

// ExpiringSoon walks all menu keys and reports those expiring within d.
func (a *Admin) ExpiringSoon(ctx context.Context, d time.Duration) ([]string, error) {
	page, err := a.client.KV.Namespaces.Keys.List(ctx, a.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cf.F(a.accountID),
		Prefix:    cf.F("menu:"),
		Limit:     cf.F(1000.0),
	})
	cutoff := float64(time.Now().Add(d).Unix())
	var out []string
	for page != nil && err == nil {
		for _, k := range page.Result {
			if k.Expiration > 0 && k.Expiration < cutoff {
				out = append(out, k.Name)
			}
		}
		page, err = page.GetNextPage()
	}
	return out, err
}

// Snapshot returns the menu documents of a venue, reading at most maxPages
// pages of keys.
func (a *Admin) Snapshot(ctx context.Context, venue keys.Venue, maxPages int) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	params := kv.NamespaceKeyListParams{AccountID: cf.F(a.accountID), Prefix: cf.F("menu:menu:" + string(venue) + ":")}
	for range maxPages {
		page, err := a.client.KV.Namespaces.Keys.List(ctx, a.ns, params)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			res, err := a.client.KV.Namespaces.Values.Get(ctx, a.ns, k.Name, kv.NamespaceValueGetParams{AccountID: cf.F(a.accountID)}) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				return nil, err
			}
			out[k.Name] = b
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cf.F(page.ResultInfo.Cursor)
	}
	return out, nil
}

// MenuPage returns one page of a venue's menu keys with their metadata and
// the cursor for the next page.
func (a *Admin) MenuPage(ctx context.Context, venue keys.Venue, cursor string) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cf.F(a.accountID),
		Prefix:    cf.F("menu:menu:" + string(venue) + ":"),
		Limit:     cf.F(200.0),
	}
	if cursor != "" {
		params.Cursor = cf.F(cursor)
	}
	page, err := a.client.KV.Namespaces.Keys.List(ctx, a.ns, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// HasMenu reports whether a venue has any published menu.
func (a *Admin) HasMenu(ctx context.Context, venue keys.Venue) (bool, error) {
	page, err := a.client.KV.Namespaces.Keys.List(ctx, a.ns, kv.NamespaceKeyListParams{
		AccountID: cf.F(a.accountID),
		Prefix:    cf.F("menu:menu:" + string(venue) + ":"),
		Limit:     cf.F(1.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(page.Result) > 0, nil
}
