package courier

import (
	"context"
	"strings"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

// ActiveCouriers returns the couriers with a live position.
func (s *Service) ActiveCouriers(ctx context.Context) ([]string, error) {
	pager := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F("pos:"),
	})
	var ids []string
	for pager.Next() {
		ids = append(ids, strings.TrimPrefix(pager.Current().Name, "pos:"))
	}
	return ids, pager.Err()
}

// NearbyHandoffs returns up to max pending hand-over holds for the map
// overlay; the overlay never shows more than a screenful.
func (s *Service) NearbyHandoffs(ctx context.Context, max int) ([]string, error) {
	pager := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.nsID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F("handoff:"),
		Limit:     cloudflare.F(100.0),
	})
	var sites []string
	for pager.Next() {
		sites = append(sites, strings.TrimPrefix(pager.Current().Name, "handoff:"))
		if len(sites) >= max {
			break
		}
	}
	return sites, pager.Err()
}
