package kvrace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// An adapter that writes one pair through the bulk endpoint (the v0 way
// to set a lifetime), sets the pair's lifetime on some paths only and
// runs save hooks first: the pair's key is the key given on every path.

type saveHook func(ctx context.Context, key string, value []byte) error

type hookedStore struct {
	api   *cloudflare.API
	rc    *cloudflare.ResourceContainer
	ns    string
	hooks []saveHook
}

func (s *hookedStore) Get(ctx context.Context, key string) ([]byte, error) {
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
}

func (s *hookedStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.PutWithMeta(ctx, key, value, ttl, nil)
}

func (s *hookedStore) PutWithMeta(ctx context.Context, key string, value []byte, ttl time.Duration, meta any) error {
	for _, h := range s.hooks {
		if err := h(ctx, key, value); err != nil {
			return fmt.Errorf("before save %q: %w", key, err)
		}
	}
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value), Metadata: meta}
	if ttl > 0 {
		pair.ExpirationTTL = int(ttl.Seconds())
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// UpdateJSON lets fn change the stored object and writes it back.
func (s *hookedStore) UpdateJSON(ctx context.Context, key string, ttl time.Duration, fn func(map[string]any) error) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	obj := map[string]any{}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return err
	}
	if err := fn(obj); err != nil {
		return err
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, b, ttl) // want `read-modify-write on one KV key`
}

func throttleAlert(ctx context.Context, s *hookedStore, device, rule, alertID string) (bool, error) {
	key := fmt.Sprintf("alert-owner:%s:%s", device, rule)
	if _, err := s.Get(ctx, key); err == nil {
		return false, nil
	} else if !isNotFound(err) {
		return false, err
	}
	return true, s.Put(ctx, key, []byte(alertID), 24*time.Hour) // want `check-then-create on one KV key`
}

// Quiet: a read-through cache, filled from elsewhere on a miss.
func cachedManifest(ctx context.Context, s *hookedStore, build string, fetch func(string) ([]byte, error)) ([]byte, error) {
	key := "manifest:" + build
	if raw, err := s.Get(ctx, key); err == nil {
		return raw, nil
	} else if !isNotFound(err) {
		return nil, err
	}
	raw, err := fetch(build)
	if err != nil {
		return nil, err
	}
	return raw, s.Put(ctx, key, raw, time.Hour)
}
