// Package certstore keeps certmagic's certificates, keys and ACME account
// data in Workers KV so that every TLS terminator in every clinic shares one
// set of certificates.
package certstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/clinicgroup/wallcreeper/internal/kvstore"
)

// KVStorage implements certmagic.Storage over one KV namespace.
type KVStorage struct {
	ns     *kvstore.Namespace
	prefix string
	host   string

	// PollInterval is how often Lock re-checks a held lock.
	PollInterval time.Duration
	// StaleAfter is the age after which a held lock is taken over.
	StaleAfter time.Duration
}

var _ certmagic.Storage = (*KVStorage)(nil)

// New returns a storage rooted at prefix ("tls/" by convention).
func New(ns *kvstore.Namespace, prefix string) *KVStorage {
	host, _ := os.Hostname()
	return &KVStorage{
		ns:           ns,
		prefix:       strings.TrimSuffix(prefix, "/") + "/",
		host:         host,
		PollInterval: 2 * time.Second,
		StaleAfter:   2 * time.Minute,
	}
}

type lockRecord struct {
	Owner    string    `json:"owner"`
	Acquired time.Time `json:"acquired"`
}

type manifest struct {
	Modified map[string]time.Time `json:"modified"`
	Sizes    map[string]int64     `json:"sizes"`
}

func (s *KVStorage) dataKey(key string) string  { return s.prefix + "data/" + key }
func (s *KVStorage) lockKey(name string) string { return s.prefix + "locks/" + name }
func (s *KVStorage) manifestKey(key string) string {
	dir, _, _ := strings.Cut(key, "/")
	return s.prefix + "manifest/" + dir
}

// Lock acquires the named lock, waiting while another terminator holds it.
func (s *KVStorage) Lock(ctx context.Context, name string) error {
	key := s.lockKey(name)
	for {
		raw, err := s.ns.Get(ctx, key)
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
		case err != nil:
			return err
		default:
			var held lockRecord
			if json.Unmarshal(raw, &held) == nil && time.Since(held.Acquired) < s.StaleAfter {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(s.PollInterval):
				}
				continue
			}
			slog.Warn("taking over stale certificate lock", "lock", name, "owner", held.Owner)
		}
		body, _ := json.Marshal(lockRecord{Owner: s.host, Acquired: time.Now()})
		return s.ns.Put(ctx, key, body, // EXPECT kvrace
			max(2*s.PollInterval, 5*time.Second)) // EXPECT kvttl
	}
}

// Unlock releases the named lock.
func (s *KVStorage) Unlock(ctx context.Context, name string) error {
	return s.ns.Delete(ctx, s.lockKey(name))
}

// Store writes a certificate asset and records it in the directory manifest
// that Stat and the dashboard read.
func (s *KVStorage) Store(ctx context.Context, key string, value []byte) error {
	if err := s.ns.Put(ctx, s.dataKey(key), value, 0); err != nil {
		return err
	}
	return s.touchManifest(ctx, key, int64(len(value)))
}

func (s *KVStorage) touchManifest(ctx context.Context, key string, size int64) error {
	mk := s.manifestKey(key)
	var m manifest
	if err := s.ns.GetJSON(ctx, mk, &m); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if m.Modified == nil {
		m.Modified, m.Sizes = map[string]time.Time{}, map[string]int64{}
	}
	m.Modified[key] = time.Now().UTC()
	m.Sizes[key] = size
	return s.ns.PutJSON(ctx, mk, m, 0) // EXPECT kvrace
}

// Load reads a certificate asset.
func (s *KVStorage) Load(ctx context.Context, key string) ([]byte, error) {
	raw, err := s.ns.Get(ctx, s.dataKey(key))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, fs.ErrNotExist
	}
	return raw, err
}

// Delete removes a certificate asset.
func (s *KVStorage) Delete(ctx context.Context, key string) error {
	return s.ns.Delete(ctx, s.dataKey(key))
}

// Exists reports whether key is stored.
func (s *KVStorage) Exists(ctx context.Context, key string) bool {
	_, err := s.ns.Get(ctx, s.dataKey(key))
	return err == nil
}

// List returns the keys under path. With recursive false only the direct
// children are returned, directories included once.
func (s *KVStorage) List(ctx context.Context, path string, recursive bool) ([]string, error) {
	base := s.dataKey(strings.TrimSuffix(path, "/") + "/")
	seen := map[string]bool{}
	var out []string
	cursor := ""
	for {
		page, err := s.ns.List(ctx, base, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			rel := strings.TrimPrefix(k.Name, s.prefix+"data/")
			if !recursive {
				rest := strings.TrimPrefix(rel, strings.TrimSuffix(path, "/")+"/")
				if child, _, nested := strings.Cut(rest, "/"); nested {
					rel = strings.TrimSuffix(path, "/") + "/" + child
				}
			}
			if !seen[rel] {
				seen[rel] = true
				out = append(out, rel)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	if len(out) == 0 {
		return nil, fs.ErrNotExist
	}
	return out, nil
}

// Stat describes key using the directory manifest.
func (s *KVStorage) Stat(ctx context.Context, key string) (certmagic.KeyInfo, error) {
	var m manifest
	if err := s.ns.GetJSON(ctx, s.manifestKey(key), &m); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return certmagic.KeyInfo{}, fs.ErrNotExist
		}
		return certmagic.KeyInfo{}, err
	}
	mod, ok := m.Modified[key]
	if !ok {
		return certmagic.KeyInfo{Key: key, IsTerminal: false}, nil
	}
	return certmagic.KeyInfo{Key: key, Modified: mod, Size: m.Sizes[key], IsTerminal: true}, nil
}

// String names the storage in certmagic's logs.
func (s *KVStorage) String() string { return fmt.Sprintf("kv:%s/%s", s.ns.Name(), s.prefix) }
