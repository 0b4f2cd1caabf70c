package flags

import (
	"context"
	"encoding/json"
	"fmt"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
)

// BulkGetter reads many values at once (storage/cfkv.Adapter).
type BulkGetter interface {
	GetMany(ctx context.Context, keys []string) (map[string]string, error)
}

// Load returns every flag published in env: the manifest, then the flags it
// names with bulk reads.
func Load(ctx context.Context, kv storage.Store, bulk BulkGetter, env string) ([]Flag, int, error) {
	var m Manifest
	b, err := kv.Get(ctx, kvkey.EnvManifest(env).String())
	if err != nil {
		return nil, 0, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, 0, err
	}
	keys := make([]string, len(m.Flags))
	for i, name := range m.Flags {
		keys[i] = kvkey.Flag(env, name).String()
	}
	values, err := bulk.GetMany(ctx, keys)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Flag, 0, len(keys))
	for _, k := range keys {
		if v, ok := values[k]; ok {
			var f Flag
			if err := json.Unmarshal([]byte(v), &f); err != nil {
				return nil, 0, fmt.Errorf("flags: %s: %w", k, err)
			}
			out = append(out, f)
		}
	}
	return out, m.Version, nil
}
