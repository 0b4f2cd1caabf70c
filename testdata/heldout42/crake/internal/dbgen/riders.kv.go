// Code in the style of sqlc. Key formats live next to their queries.

package dbgen

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/crake-mobility/crake/internal/fleet"
)

const getRider = "rider:%s"

// GetRider loads a rider into dst.
func (q *Queries) GetRider(ctx context.Context, id string, dst *fleet.Rider) (bool, error) {
	raw, ok, err := q.db.GetValue(ctx, q.ns, fmt.Sprintf(getRider, id))
	if err != nil || !ok {
		return false, err
	}
	return true, json.Unmarshal(raw, dst)
}

const createRider = "rider:%s"

// CreateRider writes a new rider record.
func (q *Queries) CreateRider(ctx context.Context, r fleet.Rider) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return q.db.PutValue(ctx, q.ns, fmt.Sprintf(createRider, r.ID), b, 0)
}

const getRiderDaily = "ride-quota:%s:%s"

// GetRiderDaily loads a rider's usage for day into dst.
func (q *Queries) GetRiderDaily(ctx context.Context, riderID, day string, dst *fleet.DailyUsage) (bool, error) {
	raw, ok, err := q.db.GetValue(ctx, q.ns, fmt.Sprintf(getRiderDaily, riderID, day))
	if err != nil || !ok {
		return false, err
	}
	return true, json.Unmarshal(raw, dst)
}

const putRiderDaily = "ride-quota:%s:%s"

// PutRiderDaily writes a rider's usage for day.
func (q *Queries) PutRiderDaily(ctx context.Context, riderID, day string, u fleet.DailyUsage, ttl time.Duration) error {
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return q.db.PutValue(ctx, q.ns, fmt.Sprintf(putRiderDaily, riderID, day), b, ttl)
}
