package organiser

import (
	"context"
	"errors"

	"example.com/sundial/internal/storage"
)

// Offboard deletes every key a tenant owns. tenantStore must already be
// namespaced to the tenant.
func (s *Service) Offboard(ctx context.Context, tenant string, tenantStore storage.Store) (int, error) {
	l, ok := storage.AsLister(tenantStore)
	if !ok {
		return 0, errors.New("organiser: tenant store cannot list")
	}
	deleted := 0
	for k, err := range storage.Keys(ctx, l, "") { // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		if err := tenantStore.Delete(ctx, k.Name); err != nil {
			return deleted, err
		}
		deleted++
	}
	s.log.InfoContext(ctx, "tenant offboarded", "tenant", tenant, "keys", deleted)
	return deleted, nil
}
