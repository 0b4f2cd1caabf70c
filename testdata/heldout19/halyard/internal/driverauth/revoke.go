package driverauth

import (
	"context"
	"fmt"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/halyard/internal/keys"
)

// Revoker signs a driver out everywhere when dispatch deactivates them. It
// talks to the SDK directly because it needs the bulk delete endpoint.
type Revoker struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string
}

const revokePageSize = 500

// sessionKeys lists a driver's session keys, at most maxPages pages.
func (r *Revoker) sessionKeys(ctx context.Context, driver keys.Driver, maxPages int) ([]string, error) {
	prefix := driver.Session("")
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(revokePageSize)),
	}
	var out []string
	for page := 0; page < maxPages; page++ {
		res, err := r.API.KV.Namespaces.Keys.List(ctx, r.NamespaceID, params)
		if err != nil {
			return nil, fmt.Errorf("driverauth: list sessions of %s: %w", driver, err)
		}
		for _, k := range res.Result {
			out = append(out, k.Name)
		}
		if res.ResultInfo.Cursor == "" {
			return out, nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return out, fmt.Errorf("driverauth: %s has more than %d pages of sessions", driver, maxPages)
}

// RevokeAll deletes every session of driver.
func (r *Revoker) RevokeAll(ctx context.Context, driver keys.Driver) (int, error) {
	names, err := r.sessionKeys(ctx, driver, 4)
	if err != nil {
		return 0, err
	}
	if len(names) == 0 {
		return 0, nil
	}
	_, err = r.API.KV.Namespaces.BulkDelete(ctx, r.NamespaceID, kv.NamespaceBulkDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(r.AccountID),
		Body:      names,
	})
	if err != nil {
		return 0, fmt.Errorf("driverauth: revoke %s: %w", driver, err)
	}
	return len(names), nil
}
