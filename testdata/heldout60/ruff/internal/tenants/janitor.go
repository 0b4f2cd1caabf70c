package tenants

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	cfkv "github.com/cloudflare/cloudflare-go/v3/kv"
)

const (
	unverifiedGrace = 7 * 24 * time.Hour
	exportPageSize  = 2500
)

// SweepUnverified releases hostname claims that were not verified within
// the grace period. The scheduler calls it nightly.
func (s *Service) SweepUnverified(ctx context.Context) (released int, err error) {
	cursor := ""
	for {
		page, err := s.state.List(ctx, "host:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return released, err
		}
		for _, k := range page.Keys {
			raw, err := s.state.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var c Claim
			if json.Unmarshal(raw, &c) != nil || c.Verified || time.Since(c.ClaimedAt) < unverifiedGrace {
				continue
			}
			if err := s.state.Delete(ctx, k.Name); err != nil {
				return released, err
			}
			released++
			s.Audit(ctx, c.Tenant, "hostname.released "+c.Hostname)
		}
		if page.Cursor == "" {
			return released, nil
		}
		cursor = page.Cursor
	}
}

// ReconcileRoutes removes edge routes for hostnames the control plane no
// longer lists as active.
func (s *Service) ReconcileRoutes(ctx context.Context) (removed int, err error) {
	raw, err := s.controlPlane(ctx, "/v1/hostnames?state=active")
	if err != nil {
		return 0, err
	}
	var active []string
	if err := json.Unmarshal(raw, &active); err != nil {
		return 0, err
	}
	live := make(map[string]bool, len(active))
	for _, h := range active {
		live[h] = true
	}
	keys, accountID, nsID := s.routes.Keys()
	iter := keys.ListAutoPaging(ctx, nsID, cfkv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(accountID),
		Prefix:    cloudflare.F("route:"),
	})
	for iter.Next() {
		if live[strings.TrimPrefix(iter.Current().Name, "route:")] {
			continue
		}
		if err := s.routes.Delete(ctx, iter.Current().Name); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, iter.Err()
}

// ExportClaims returns one page of claims with their metadata for the
// operator console's CSV export.
func (s *Service) ExportClaims(ctx context.Context, cursor string) ([]cfkv.Key, string, error) {
	page, err := s.state.List(ctx, "host:", cursor, exportPageSize) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	return page.Keys, page.Cursor, nil
}
