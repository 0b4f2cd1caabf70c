// Code in the style of sqlc. Key formats live next to their queries.

package dbgen

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crake-mobility/crake/internal/fleet"
)

const getZone = "zone:%s"

// GetZone loads a zone into dst.
func (q *Queries) GetZone(ctx context.Context, id string, dst *fleet.Zone) (bool, error) {
	raw, ok, err := q.db.GetValue(ctx, q.ns, fmt.Sprintf(getZone, id))
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return false, fmt.Errorf("zone %s: %w", id, err)
	}
	return true, nil
}

const putZone = "zone:%s"

// PutZone writes a zone. A zero ttl keeps it until it is replaced.
func (q *Queries) PutZone(ctx context.Context, z *fleet.Zone, ttl time.Duration) error {
	b, err := json.Marshal(z)
	if err != nil {
		return err
	}
	return q.db.PutValue(ctx, q.ns, fmt.Sprintf(putZone, z.ID), b, ttl)
}

const addZoneScooter = "zone-scooters:%s"

// AddZoneScooter adds a scooter to the set of scooters parked in a zone.
func (q *Queries) AddZoneScooter(ctx context.Context, zoneID, scooterID string) error {
	key := fmt.Sprintf(addZoneScooter, zoneID)
	raw, ok, err := q.db.GetValue(ctx, q.ns, key)
	if err != nil {
		return err
	}
	var ids []string
	if ok {
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	}
	if slices.Contains(ids, scooterID) {
		return nil
	}
	ids = append(ids, scooterID)
	b, _ := json.Marshal(ids)
	return q.db.PutValue(ctx, q.ns, key, b, 0) // EXPECT kvrace
}

const listZoneIDs = "zone:"

// ListZoneIDs lists zone IDs, reading at most maxPages pages.
func (q *Queries) ListZoneIDs(ctx context.Context, maxPages int) (ids []string, complete bool, err error) {
	cursor := ""
	for range maxPages {
		page, err := q.db.ListKeys(ctx, q.ns, listZoneIDs, cursor, 1000)
		if err != nil {
			return nil, false, err
		}
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k, listZoneIDs))
		}
		if page.Complete {
			return ids, true, nil
		}
		cursor = page.Cursor
	}
	return ids, false, nil
}

const deleteZone = "zone:%s"

// DeleteZone removes a zone.
func (q *Queries) DeleteZone(ctx context.Context, id string) error {
	return q.db.DeleteValue(ctx, q.ns, fmt.Sprintf(deleteZone, id))
}
