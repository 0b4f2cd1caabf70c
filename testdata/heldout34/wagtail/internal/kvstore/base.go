package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Base is embedded by the domain repositories. It binds a namespace and a
// record kind and provides the JSON helpers they share.
type Base struct {
	NS   string
	Kind Kind
}

// NewBase returns a Base for kind in namespace ns.
func NewBase(ns string, kind Kind) Base { return Base{NS: ns, Kind: kind} }

// KeyOf builds the key of a record of this repository's kind.
func (b Base) KeyOf(parts ...string) string { return b.Kind.Key(parts...) }

// GetRaw reads the raw value at key.
func (b Base) GetRaw(ctx context.Context, key string) ([]byte, error) {
	return GetBytes(ctx, b.NS, key)
}

// GetJSON decodes the record at key into dst.
func (b Base) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := GetBytes(ctx, b.NS, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("%s %s: decode: %w", b.Kind, key, err)
	}
	return nil
}

// PutJSON encodes v and writes it at key. A non-zero ttl below the KV
// minimum is raised to it; zero means no expiry.
func (b Base) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := marshal(v)
	if err != nil {
		return err
	}
	if ttl != 0 && ttl < MinTTL {
		ttl = MinTTL
	}
	return PutBytes(ctx, b.NS, key, raw, ttl)
}

// PutDefault writes v with the default TTL of the repository's kind.
func (b Base) PutDefault(ctx context.Context, key string, v any) error {
	return b.PutJSON(ctx, key, v, b.Kind.TTL())
}

// Remove deletes the record at key.
func (b Base) Remove(ctx context.Context, key string) error {
	return Delete(ctx, b.NS, key)
}

// Touch sets the timestamp field of the JSON object stored at key to at.
func (b Base) Touch(ctx context.Context, key, field string, at time.Time) error {
	obj := map[string]any{}
	if err := b.GetJSON(ctx, key, &obj); err != nil {
		return err
	}
	obj[field] = at.UTC().Format(time.RFC3339)
	raw, err := marshal(obj)
	if err != nil {
		return err
	}
	return PutBytes(ctx, b.NS, key, raw, 0) // EXPECT kvrace
}

func marshal(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("kv: encode: %w", err)
	}
	return raw, nil
}
