package ops

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"example.com/yarrow/internal/backend/cfparams"
	"example.com/yarrow/internal/storage"
)

// Zone is a delivery zone definition.
type Zone struct {
	Name      string  `json:"name"`
	BaseFee   int64   `json:"base_fee"`
	PerKmFee  int64   `json:"per_km_fee"`
	MaxRadius float64 `json:"max_radius_km"`
}

func zoneKey(name string) string {
	var b strings.Builder
	b.WriteString("zone:")
	b.WriteString(strings.ToLower(name))
	return b.String()
}

// EnsureZone returns a zone, creating it with default fees if needed.
func (s *Service) EnsureZone(ctx context.Context, name string) (Zone, error) {
	z := Zone{Name: name, BaseFee: 199, PerKmFee: 60, MaxRadius: 6}
	raw, err := s.store.Get(ctx, zoneKey(name)) // EXPECT kvnull
	if err != nil {
		out, _ := json.Marshal(z)
		return z, s.store.Put(ctx, zoneKey(name), out, storage.WriteOptions{})
	}
	return z, json.Unmarshal(raw, &z)
}

// CachedZone returns a zone, loading it from the pricing service on a miss
// and keeping it for an hour. A failed read is returned as is rather than
// treated as a miss.
func (s *Service) CachedZone(ctx context.Context, name string, load func(context.Context, string) (Zone, error)) (Zone, error) {
	var z Zone
	raw, err := s.store.Get(ctx, zoneKey(name))
	if err == nil {
		return z, json.Unmarshal(raw, &z)
	}
	if !storage.IsNotFound(err) {
		return z, err
	}
	if z, err = load(ctx, name); err != nil {
		return z, err
	}
	out, err := json.Marshal(z)
	if err != nil {
		return z, err
	}
	return z, s.store.Put(ctx, zoneKey(name), out, storage.WriteOptions{TTL: time.Hour})
}

// AuditTokens reports courier tokens whose courier is no longer active.
func (s *Service) AuditTokens(ctx context.Context, active map[string]bool) ([]string, string, error) {
	page, err := s.store.List(ctx, storage.ListQuery{Prefix: "courier-token:", Limit: 1000})
	if err != nil {
		return nil, "", err
	}
	var stale []string
	for _, k := range page.Keys {
		raw, err := s.store.Get(ctx, k) // EXPECT kvlist
		if err != nil {
			continue
		}
		if !active[string(raw)] {
			stale = append(stale, k)
		}
	}
	return stale, page.Cursor, nil
}

// ExpireRosters drops rosters of zones that no longer exist.
func (s *Service) ExpireRosters(ctx context.Context, zones map[string]bool) (int, error) {
	removed := 0
	q := storage.ListQuery{Prefix: "roster:", Limit: 1000}
	for pages := 0; pages < 50; pages++ {
		page, err := s.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range page.Keys {
			if !zones[strings.TrimPrefix(k, "roster:")] {
				if err := s.store.Delete(ctx, k); err != nil {
					return removed, err
				}
				removed++
			}
		}
		if page.Complete {
			break
		}
		q = storage.ListQuery{Cursor: page.Cursor, Limit: 1000}
	}
	return removed, nil
}

// RevokedSample returns a few revoked tokens and the cursor of the next page,
// for the ops console.
func (s *Service) RevokedSample(ctx context.Context, cursor string) ([]string, string, error) {
	res, err := s.keys.List(ctx, s.ns, cfparams.Keys(s.account, "revoked-token:", cursor, 5)) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	out := make([]string, len(res.Result))
	for i, k := range res.Result {
		out[i] = strings.TrimPrefix(k.Name, "revoked-token:")
	}
	return out, res.ResultInfo.Cursor, nil
}

// Reconcile counts orders that reached KV but not the database.
func (s *Service) Reconcile(ctx context.Context, known func(orderID string) bool) ([]string, error) {
	var orphans []string
	iter := s.keys.ListAutoPaging(ctx, s.ns, cfparams.Keys(s.account, "order:", "", 1000)) // EXPECT kvlist
	for iter.Next() {
		id := strings.TrimPrefix(iter.Current().Name, "order:")
		if !known(id) {
			orphans = append(orphans, id)
		}
	}
	return orphans, iter.Err()
}

// ReconcileRecent is the hourly variant: it stops after a fixed budget.
func (s *Service) ReconcileRecent(ctx context.Context, prefix string, known func(orderID string) bool) ([]string, bool, error) {
	var orphans []string
	seen := 0
	iter := s.keys.ListAutoPaging(ctx, s.ns, cfparams.Keys(s.account, prefix, "", 1000))
	for iter.Next() {
		if seen++; seen > reconcileBudget {
			return orphans, false, nil
		}
		id := strings.TrimPrefix(iter.Current().Name, "order:")
		if !known(id) {
			orphans = append(orphans, id)
		}
	}
	return orphans, true, iter.Err()
}
