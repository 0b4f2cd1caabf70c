package apikeys

import (
	"context"
	"encoding/base64"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"sanderling/internal/config"
)

// Cache holds verified keys in the cache namespace so the gateway can skip the
// hash and record reads. It predates the kvstore adapter and uses the v0 client.
type Cache struct {
	api *cfv0.API
	rc  *cfv0.ResourceContainer
	ns  string
}

// NewCache returns a Cache over namespace ns of the account in rc.
func NewCache(api *cfv0.API, rc *cfv0.ResourceContainer, ns string) *Cache {
	return &Cache{api: api, rc: rc, ns: ns}
}

func (c *Cache) key(hash [32]byte) string {
	return "verified:" + base64.RawURLEncoding.EncodeToString(hash[:])
}

// Lookup returns the cached record for hash. Any failure is a cache miss.
func (c *Cache) Lookup(ctx context.Context, hash [32]byte) (Record, bool) {
	raw, err := c.api.GetWorkersKV(ctx, c.rc, cfv0.GetWorkersKVParams{NamespaceID: c.ns, Key: c.key(hash)})
	if err != nil {
		return Record{}, false
	}
	var rec Record
	if err := rec.UnmarshalBinary(raw); err != nil {
		return Record{}, false
	}
	return rec, true
}

// Store caches rec for KeyCacheTTL.
func (c *Cache) Store(ctx context.Context, hash [32]byte, rec Record) error {
	b, err := rec.MarshalBinary()
	if err != nil {
		return err
	}
	_, err = c.api.WriteWorkersKVEntries(ctx, c.rc, cfv0.WriteWorkersKVEntriesParams{
		NamespaceID: c.ns,
		KVs: []*cfv0.WorkersKVPair{{
			Key:           c.key(hash),
			Value:         base64.StdEncoding.EncodeToString(b),
			Base64:        true,
			ExpirationTTL: int(config.KeyCacheTTL), // EXPECT kvttl
		}},
	})
	return err
}
