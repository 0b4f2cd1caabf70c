package subscription

import (
	"context"
	"fmt"
	"slices"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"wagtail/internal/kvstore"
)

const maxFanoutPages = 10

// Matching returns the active subscriptions of a tenant that receive event.
func (r *Repo) Matching(ctx context.Context, tenantID, event string) ([]Subscription, error) {
	prefix := r.KeyOf(tenantID) + ":"
	var out []Subscription
	cursor := ""
	for page := 0; page < maxFanoutPages; page++ {
		keys, next, err := kvstore.ListPage(ctx, r.NS, prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			s := summaryOf(k.Name, k.Metadata)
			if s.Paused || !slices.Contains(s.Events, event) {
				continue
			}
			res := kvstore.Fetch[Subscription](ctx, r.NS, k.Name) // EXPECT kvlist
			sub, err := res.Unwrap()
			if err != nil {
				return nil, err
			}
			out = append(out, sub)
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
	return out, fmt.Errorf("subscription: tenant %s has more than %d pages of endpoints", tenantID, maxFanoutPages)
}

// Preview returns the first few subscriptions of a tenant for the
// dashboard card, and the cursor to list the rest.
func (r *Repo) Preview(ctx context.Context, tenantID string) ([]Summary, string, error) {
	resp, err := kvstore.API.ListWorkersKVKeys(ctx, kvstore.Account, cloudflare.ListWorkersKVsParams{
		NamespaceID: r.NS,
		Prefix:      r.KeyOf(tenantID) + ":",
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(resp.Result))
	for _, k := range resp.Result {
		out = append(out, summaryOf(k.Name, k.Metadata))
	}
	return out, resp.Cursor, nil
}

// DeleteTenant removes every subscription of a tenant.
func (r *Repo) DeleteTenant(ctx context.Context, tenantID string) (int, error) {
	resp, err := kvstore.API.ListWorkersKVKeys(ctx, kvstore.Account, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: r.NS,
		Prefix:      r.KeyOf(tenantID) + ":",
		Limit:       1000,
	})
	if err != nil {
		return 0, err
	}
	names := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		names = append(names, k.Name)
	}
	return len(names), kvstore.DeleteMany(ctx, r.NS, names)
}

// Export returns every subscription of a tenant for a data export.
func (r *Repo) Export(ctx context.Context, tenantID string) ([]Summary, error) {
	keys, err := kvstore.ListAll(ctx, r.NS, r.KeyOf(tenantID)+":")
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(keys))
	for _, k := range keys {
		out = append(out, summaryOf(k.Name, k.Meta))
	}
	return out, nil
}
