package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

const maxPairs = 10_000

// putMany sends pairs in chunks of at most maxPairs; the lifetimes are
// its callers'.
func putMany(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, pairs []*cloudflare.WorkersKVPair) error {
	for start := 0; start < len(pairs); start += maxPairs {
		end := min(start+maxPairs, len(pairs))
		if _, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs[start:end]}); err != nil {
			return err
		}
	}
	return nil
}

func retain(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, id string, body []byte) error {
	return putMany(ctx, api, rc, ns, []*cloudflare.WorkersKVPair{{
		Key:        "payload:" + id,
		Value:      string(body),
		Expiration: int(time.Now().Add(72 * time.Hour).UnixMilli()), // want `Expiration is in seconds since the Unix epoch, but this is a Unix time in ms`
	}, {
		Key:        "index:" + id,
		Value:      "1",
		Expiration: int(time.Now().Add(72 * time.Hour).Unix()),
	}})
}

// save writes a record under its own key, for its own lifetime.
func save[T record](ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, rec T) error {
	return putMany(ctx, api, rc, ns, []*cloudflare.WorkersKVPair{{Key: rec.Key(), Value: "{}", ExpirationTTL: int(rec.TTL().Seconds())}})
}

// A hold's lifetime counts down to its start, reported where it does; a
// grant's is clamped.
func holdSeat(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, h hold, g grant) error {
	if err := save(ctx, api, rc, ns, h); err != nil {
		return err
	}
	return save(ctx, api, rc, ns, g)
}

// Records that know their own key and lifetime.
type record interface {
	Key() string
	TTL() time.Duration
}

type hold struct {
	Seat  string
	Start time.Time
}

func (h hold) Key() string { return "hold:" + h.Seat }

func (h hold) TTL() time.Duration {
	return time.Until(h.Start) // want `ExpirationTTL \(passed to save\) is counted down to a moment at run time`
}

type grant struct {
	ID      string
	Expires time.Time
}

func (g grant) Key() string { return "grant:" + g.ID }

func (g grant) TTL() time.Duration { return max(time.Until(g.Expires), time.Minute) }
