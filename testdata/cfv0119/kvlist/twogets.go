package kvlist

import (
	"context"
	"strings"

	"github.com/cloudflare/cloudflare-go"
)

type availability struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// lastFix reads a driver's last position by its ID.
func (a *availability) lastFix(ctx context.Context, id string) ([]byte, error) {
	return a.api.GetWorkersKV(ctx, a.rc, cloudflare.GetWorkersKVParams{NamespaceID: a.ns, Key: "fix:" + id})
}

// Two gets per listed key in one loop, the second by the ID trimmed from
// the listed name through a helper: one N+1, reported once, at the first.
func (a *availability) sweep(ctx context.Context) (stale []string, err error) { // want sweep:"kvlist"
	params := cloudflare.ListWorkersKVsParams{NamespaceID: a.ns, Prefix: "avail:", Limit: 1000}
	for pages := 0; pages < 20; pages++ {
		resp, err := a.api.ListWorkersKVKeys(ctx, a.rc, params)
		if err != nil {
			return stale, err
		}
		for _, k := range resp.Result {
			id := strings.TrimPrefix(k.Name, "avail:")
			if _, err := a.api.GetWorkersKV(ctx, a.rc, cloudflare.GetWorkersKVParams{NamespaceID: a.ns, Key: k.Name}); err != nil { // want `one get per listed key \(N\+1\)`
				continue
			}
			if _, err := a.lastFix(ctx, id); err != nil {
				stale = append(stale, id)
			}
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	return stale, nil
}
