//go:build js && wasm

// Package workerkv serves kv://<BINDING> DSNs inside the Worker through the
// KV binding of the current request.
package workerkv

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/smew/internal/kvstore"
)

// Missing is what KVNamespace.GetString returns for a key that does not
// exist: the binding resolves to JS null and syscall/js renders it so.
const Missing = "<null>"

// Store is a kvstore.Store over one binding. The binding has no bulk write,
// so Store implements none of the optional capabilities.
type Store struct {
	ns *cloudflare.KVNamespace
}

// Open is the opener to register for the kv scheme. ctx must be a request
// context from the workers runtime.
func Open(ctx context.Context, u *url.URL) (kvstore.Store, error) {
	if u.Host == "" {
		return nil, errors.New("workerkv: kv:// DSN needs a binding name")
	}
	ns, err := cloudflare.NewKVNamespace(ctx, u.Host)
	if err != nil {
		return nil, err
	}
	return &Store{ns: ns}, nil
}

// Get implements kvstore.Store.
func (s *Store) Get(_ context.Context, key string) (kvstore.Optional[[]byte], error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return kvstore.None[[]byte](), err
	}
	if v == Missing {
		return kvstore.None[[]byte](), nil
	}
	return kvstore.Some([]byte(v)), nil
}

// Put implements kvstore.Store. Expirations shorter than a minute are
// stretched to one minute.
func (s *Store) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		secs := int(ttl / time.Second)
		if secs < 60 {
			secs = 60
		}
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: secs}
	}
	return s.ns.PutString(key, string(value), opts)
}

// Delete implements kvstore.Store.
func (s *Store) Delete(_ context.Context, key string) error {
	return s.ns.Delete(key)
}
