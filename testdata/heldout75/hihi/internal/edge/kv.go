//go:build js && wasm

// Package edge is the Worker that answers the pickup kiosks and the patient
// app at the edge, next to the KV namespace the backend fills.
package edge

import (
	"context"
	"io"
	"strings"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"hihi/internal/db"
	"hihi/internal/ent"
)

// nullValue is what GetString returns for a key that does not exist.
const nullValue = "<null>"

// Store adapts a KV binding to the data-layer interfaces shared with the
// backend, so the Worker can use the generated queries and entity client.
type Store struct {
	ns *kv.Namespace
}

var (
	_ db.DBTX    = (*Store)(nil)
	_ ent.Driver = (*Store)(nil)
)

// Bind opens the KV binding with the given name.
func Bind(name string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(name)
	if err != nil {
		return nil, err
	}
	return &Store{ns: ns}, nil
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return nil, err
	}
	if v == nullValue {
		return nil, db.ErrNoRows
	}
	return []byte(v), nil
}

// GetStream reads a large value without copying it into a string first.
func (s *Store) GetStream(_ context.Context, key string) (io.Reader, error) {
	return s.ns.GetReader(key, nil)
}

func (s *Store) Put(_ context.Context, key string, value []byte, ttlSeconds int) error {
	var opts *kv.PutOptions
	if ttlSeconds > 0 {
		opts = &kv.PutOptions{ExpirationTTL: ttlSeconds}
	}
	return s.ns.PutString(key, string(value), opts)
}

func (s *Store) Delete(_ context.Context, key string) error {
	return s.ns.Delete(key)
}

func (s *Store) List(_ context.Context, prefix, cursor string, limit int) ([]string, string, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = k.Name
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}

// Raw exposes the binding for code that needs options the adapter hides.
func (s *Store) Raw() *kv.Namespace { return s.ns }

func storeFromKey(key string) string {
	parts := strings.SplitN(key, ":", 3)
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}
