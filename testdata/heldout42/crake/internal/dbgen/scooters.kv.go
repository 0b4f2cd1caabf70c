// Code in the style of sqlc. Key formats live next to their queries.

package dbgen

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/crake-mobility/crake/internal/fleet"
)

const getScooter = "scooter:%s"

// GetScooter loads a scooter into dst.
func (q *Queries) GetScooter(ctx context.Context, id string, dst *fleet.Scooter) (bool, error) {
	raw, ok, err := q.db.GetValue(ctx, q.ns, fmt.Sprintf(getScooter, id))
	if err != nil || !ok {
		return false, err
	}
	return true, json.Unmarshal(raw, dst)
}

const upsertScooter = "scooter:%s"

// UpsertScooter writes the full scooter record.
func (q *Queries) UpsertScooter(ctx context.Context, s fleet.Scooter) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return q.db.PutValue(ctx, q.ns, fmt.Sprintf(upsertScooter, s.ID), b, 0)
}

const getScooterRides = "scooter-rides:%s"

// GetScooterRides returns the lifetime ride count of a scooter.
func (q *Queries) GetScooterRides(ctx context.Context, id string) (int64, error) {
	raw, ok, err := q.db.GetValue(ctx, q.ns, fmt.Sprintf(getScooterRides, id))
	if err != nil || !ok {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

const incrScooterRides = "scooter-rides:%s"

// IncrScooterRides adds one ride to a scooter's lifetime count.
func (q *Queries) IncrScooterRides(ctx context.Context, id string) (int64, error) {
	key := fmt.Sprintf(incrScooterRides, id)
	raw, ok, err := q.db.GetValue(ctx, q.ns, key)
	if err != nil {
		return 0, err
	}
	var n int64
	if ok {
		if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return 0, fmt.Errorf("scooter %s: bad ride count %q: %w", id, raw, err)
		}
	}
	n++
	if err := q.db.PutValue(ctx, q.ns, key, []byte(strconv.FormatInt(n, 10)), 0); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return n, nil
}

const touchScooterSeen = "seen:%s"

// TouchScooterSeen records when the scooter last reported. The key lives
// for a day so that scooters that go quiet drop out of the listing.
func (q *Queries) TouchScooterSeen(ctx context.Context, id string, at time.Time) error {
	return q.db.PutValue(ctx, q.ns, fmt.Sprintf(touchScooterSeen, id), []byte(at.UTC().Format(time.RFC3339)), 24*time.Hour)
}

const listSeenScooters = "seen:"

// ListSeenScooters returns one page of scooters that reported in the last
// day, and the cursor for the next page.
func (q *Queries) ListSeenScooters(ctx context.Context, cursor string) (KeyPage, error) {
	return q.db.ListKeys(ctx, q.ns, listSeenScooters, cursor, 1000)
}
