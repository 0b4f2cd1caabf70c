// Package tlsstore keeps certmagic's certificates, keys, OCSP staples and
// locks in Workers KV so that every TLS terminator shares one set of assets.
package tlsstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/portwell/nutcracker/internal/kvstore"
)

// Config holds the operator-tunable parts of the storage.
type Config struct {
	Prefix  string        // key prefix, default "certmagic"
	LockTTL time.Duration // how long an abandoned lock blocks other nodes
}

// Storage implements certmagic.Storage over a KV namespace.
type Storage struct {
	ns      *kvstore.Namespace
	prefix  string
	lockTTL time.Duration
	owner   string
	poll    time.Duration
}

var (
	_ certmagic.Storage          = (*Storage)(nil)
	_ certmagic.TryLocker        = (*Storage)(nil)
	_ certmagic.LockLeaseRenewer = (*Storage)(nil)
)

// New returns a Storage. The lock TTL never goes below KV's one-minute floor.
func New(ns *kvstore.Namespace, cfg Config) *Storage {
	host, _ := os.Hostname()
	return &Storage{
		ns:      ns,
		prefix:  strings.TrimSuffix(cmp.Or(cfg.Prefix, "certmagic"), "/"),
		lockTTL: max(cmp.Or(cfg.LockTTL, 5*time.Minute), time.Minute),
		owner:   host + ":" + strconv.Itoa(os.Getpid()),
		poll:    2 * time.Second,
	}
}

func (s *Storage) key(k string) string { return s.prefix + "/" + strings.Trim(k, "/") }
func (s *Storage) lockKey(n string) string {
	return s.prefix + "/locks/" + certmagic.StorageKeys.Safe(n)
}

type lockRecord struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
}

type assetMeta struct {
	Modified int64 `json:"modified"`
	Size     int64 `json:"size"`
}

// Lock blocks until the named lock is acquired or ctx ends.
func (s *Storage) Lock(ctx context.Context, name string) error {
	for {
		ok, err := s.TryLock(ctx, name)
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.poll):
		}
	}
}

// TryLock takes the lock if nobody else holds a fresh one.
func (s *Storage) TryLock(ctx context.Context, name string) (bool, error) {
	key := s.lockKey(name)
	raw, err := s.ns.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return false, err
	default:
		var held lockRecord
		if json.Unmarshal(raw, &held) == nil && held.Owner != s.owner && time.Now().Before(held.Expires) {
			return false, nil
		}
	}
	rec, _ := json.Marshal(lockRecord{Owner: s.owner, Expires: time.Now().Add(s.lockTTL)})
	if err := s.ns.Put(ctx, key, rec, s.lockTTL); err != nil { // EXPECT kvrace
		return false, err
	}
	return true, nil
}

// Unlock releases the named lock.
func (s *Storage) Unlock(ctx context.Context, name string) error {
	return s.ns.Delete(ctx, s.lockKey(name))
}

// RenewLockLease extends a lock while certmagic retries an issuance. The
// lease certmagic asks for is the retry interval plus the obtain timeout.
func (s *Storage) RenewLockLease(ctx context.Context, lockKey string, leaseDuration time.Duration) error {
	rec, _ := json.Marshal(lockRecord{Owner: s.owner, Expires: time.Now().Add(leaseDuration)})
	return s.ns.Put(ctx, s.lockKey(lockKey), rec, leaseDuration)
}

// Store writes an asset without expiry; certmagic manages renewal itself.
func (s *Storage) Store(ctx context.Context, key string, value []byte) error {
	meta := assetMeta{Modified: time.Now().Unix(), Size: int64(len(value))}
	return s.ns.PutWithMetadata(ctx, s.key(key), value, 0, meta)
}

// Load reads an asset, translating a miss into fs.ErrNotExist as certmagic expects.
func (s *Storage) Load(ctx context.Context, key string) ([]byte, error) {
	v, err := s.ns.Get(ctx, s.key(key))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, fs.ErrNotExist
	}
	return v, err
}

// Delete removes an asset.
func (s *Storage) Delete(ctx context.Context, key string) error {
	return s.ns.Delete(ctx, s.key(key))
}

// Exists reports whether an asset is stored under key.
func (s *Storage) Exists(ctx context.Context, key string) bool {
	_, err := s.ns.Metadata(ctx, s.key(key))
	return err == nil
}

// List returns the keys under path. Without recursive, only the direct
// children of path are returned, the way a directory listing would.
func (s *Storage) List(ctx context.Context, path string, recursive bool) ([]string, error) {
	base := s.key(path) + "/"
	seen := map[string]bool{}
	var out []string
	cursor := ""
	for {
		page, err := s.ns.ListPage(ctx, base, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, name := range page.Keys {
			rel := strings.TrimPrefix(name, base)
			if !recursive {
				rel, _, _ = strings.Cut(rel, "/")
			}
			full := strings.TrimPrefix(base+rel, s.prefix+"/")
			if !seen[full] {
				seen[full] = true
				out = append(out, full)
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
	slices.Sort(out)
	return out, nil
}

// Stat describes a stored asset or a "directory" prefix.
func (s *Storage) Stat(ctx context.Context, key string) (certmagic.KeyInfo, error) {
	meta, err := s.ns.Metadata(ctx, s.key(key))
	if err == nil {
		info := certmagic.KeyInfo{Key: key, IsTerminal: true}
		if v, ok := meta["modified"].(float64); ok {
			info.Modified = time.Unix(int64(v), 0)
		}
		if v, ok := meta["size"].(float64); ok {
			info.Size = int64(v)
		}
		return info, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return certmagic.KeyInfo{}, err
	}
	page, err := s.ns.ListPage(ctx, s.key(key)+"/", "", 10)
	if err != nil {
		return certmagic.KeyInfo{}, err
	}
	if len(page.Keys) == 0 {
		return certmagic.KeyInfo{}, fs.ErrNotExist
	}
	return certmagic.KeyInfo{Key: key, IsTerminal: false}, nil
}

func (s *Storage) String() string { return fmt.Sprintf("kv:%s", s.prefix) }
