// Package jobs runs the backend's periodic work: the hold summary sweep and
// the nightly export. Each job takes a lease so only one replica runs it.
package jobs

import (
	"context"
	"encoding/json"
	"time"

	"example.com/juniper/internal/keys"
	"example.com/juniper/internal/store"
)

type lease struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
}

// acquire takes the named lease for owner unless another replica holds it.
func acquire(ctx context.Context, raw store.Raw, job, owner string, ttl time.Duration) (bool, error) {
	k := keys.Lease(job)
	b, ok, err := raw.Get(ctx, k)
	if err != nil {
		return false, err
	}
	if ok {
		var cur lease
		if json.Unmarshal(b, &cur) == nil && cur.Owner != owner && time.Now().Before(cur.Expires) {
			return false, nil
		}
	}
	next, _ := json.Marshal(lease{Owner: owner, Expires: time.Now().Add(ttl)})
	if err := raw.Put(ctx, k, next, store.WithTTL(max(ttl, time.Minute))); err != nil { // EXPECT kvrace
		return false, err
	}
	return true, nil
}
