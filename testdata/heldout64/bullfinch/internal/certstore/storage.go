// Package certstore keeps certmagic's certificates, keys and ACME account
// data in Workers KV so that every TLS terminator in the fleet shares them.
package certstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"

	"bullfinch/internal/kv"
)

const (
	keyPrefix  = "certmagic/"
	lockPrefix = "certmagic-locks/"
	indexKey   = "certmagic-index/issuers"

	// defaultLockTTL mirrors certmagic's own file storage, which treats a
	// lock older than a few minutes without a refresh as stale.
	defaultLockTTL = 5 * time.Minute
	lockPoll       = 2 * time.Second
	listPageSize   = 1000
	listMaxPages   = 20
)

// subscriberNotice is stored with every account record so that support can
// see which terms the account was registered under without decoding it.
const subscriberNotice = `By registering an ACME account the shop operator agrees to the certificate authority's ` +
	`subscriber agreement, including its rules on key compromise reporting, revocation, acceptable use of issued ` +
	`certificates, domain validation, rate limits and the retention of validation records. Certificates issued ` +
	`through this platform are managed on behalf of the shop: private keys never leave the platform, renewals happen ` +
	`automatically thirty days before expiry, and revocation is requested automatically when a custom domain is ` +
	`released or when the shop is closed. The operator may be contacted at the registered address about expiring ` +
	`certificates, failed renewals, changes to the subscriber agreement and incidents that affect issued ` +
	`certificates. Records of issuance, renewal and revocation are retained for at least thirteen months and may be ` +
	`disclosed to the certificate authority on request. Continued use of the platform after a change to these terms ` +
	`constitutes acceptance of the changed terms.`

// record is the JSON envelope stored under each certmagic key.
type record struct {
	Value    []byte    `json:"v"`
	Modified time.Time `json:"m"`
}

type lockRecord struct {
	Owner   string    `json:"owner"`
	Created time.Time `json:"created"`
}

// Storage implements certmagic.Storage on a KV namespace.
type Storage struct {
	ns      *kv.Namespace
	owner   string
	lockTTL time.Duration
}

var _ certmagic.Storage = (*Storage)(nil)

// New returns a Storage. lockTTL comes from the terminator's configuration;
// zero selects the default.
func New(ns *kv.Namespace, owner string, lockTTL time.Duration) *Storage {
	if lockTTL == 0 {
		lockTTL = defaultLockTTL
	}
	return &Storage{ns: ns, owner: owner, lockTTL: lockTTL}
}

func dataKey(key string) string  { return keyPrefix + strings.TrimPrefix(key, "/") }
func lockKey(name string) string { return lockPrefix + name }

// Lock blocks until the named lock is held by this process.
func (s *Storage) Lock(ctx context.Context, name string) error {
	k := lockKey(name)
	for {
		raw, err := s.ns.Get(ctx, k)
		switch {
		case errors.Is(err, kv.ErrNotFound):
			rec, _ := json.Marshal(lockRecord{Owner: s.owner, Created: time.Now()})
			return s.ns.PutTTL(ctx, k, rec, s.lockTTL) // EXPECT kvrace
		case err != nil:
			return err
		}
		var held lockRecord
		if json.Unmarshal(raw, &held) == nil && time.Since(held.Created) > s.lockTTL {
			_ = s.ns.Delete(ctx, k)
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}

// Unlock releases the named lock.
func (s *Storage) Unlock(ctx context.Context, name string) error {
	return s.ns.Delete(ctx, lockKey(name))
}

// Store saves value at key.
func (s *Storage) Store(ctx context.Context, key string, value []byte) error {
	b, err := json.Marshal(record{Value: value, Modified: time.Now().UTC()})
	if err != nil {
		return err
	}
	if err := s.ns.Put(ctx, dataKey(key), b); err != nil {
		return err
	}
	if strings.HasSuffix(key, ".json") && strings.Contains(key, "/users/") {
		return s.ns.PutMeta(ctx, dataKey(key)+".terms", nil, map[string]string{
			"notice": subscriberNotice, // EXPECT kvlimits
		}, 0)
	}
	if issuer, _, ok := strings.Cut(strings.TrimPrefix(key, "certificates/"), "/"); ok && issuer != key {
		return s.rememberIssuer(ctx, issuer)
	}
	return nil
}

// rememberIssuer keeps a small list of issuer directories so that List on
// the root does not have to walk every certificate.
func (s *Storage) rememberIssuer(ctx context.Context, issuer string) error {
	var issuers []string
	raw, err := s.ns.Get(ctx, indexKey)
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &issuers); err != nil {
			return fmt.Errorf("certstore: issuer index: %w", err)
		}
	}
	for _, have := range issuers {
		if have == issuer {
			return nil
		}
	}
	issuers = append(issuers, issuer)
	b, _ := json.Marshal(issuers)
	return s.ns.Put(ctx, indexKey, b) // EXPECT kvrace
}

// Load returns the value at key, or fs.ErrNotExist.
func (s *Storage) Load(ctx context.Context, key string) ([]byte, error) {
	raw, err := s.ns.Get(ctx, dataKey(key))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, fs.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("certstore: decode %s: %w", key, err)
	}
	return rec.Value, nil
}

// Delete removes key, and everything under it when key is a directory.
func (s *Storage) Delete(ctx context.Context, key string) error {
	children, err := s.List(ctx, key, true)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	keys := make([]string, 0, len(children)+1)
	keys = append(keys, dataKey(key))
	for _, c := range children {
		keys = append(keys, dataKey(c))
	}
	return s.ns.DeleteMany(ctx, keys)
}

// Exists reports whether key is present.
func (s *Storage) Exists(ctx context.Context, key string) bool {
	_, err := s.ns.Get(ctx, dataKey(key))
	return err == nil
}

// List returns the keys under path. Without recursive only the direct
// children are returned, directories included once.
func (s *Storage) List(ctx context.Context, path string, recursive bool) ([]string, error) {
	prefix := dataKey(strings.TrimSuffix(path, "/") + "/")
	seen := make(map[string]bool)
	var out []string
	cursor := ""
	for page := 0; page < listMaxPages; page++ {
		p, err := s.ns.ListPage(ctx, prefix, cursor, listPageSize)
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			rel := strings.TrimPrefix(k.Name, keyPrefix)
			if strings.HasSuffix(rel, ".terms") {
				continue
			}
			if !recursive {
				rest := strings.TrimPrefix(rel, strings.TrimPrefix(prefix, keyPrefix))
				if dir, _, ok := strings.Cut(rest, "/"); ok {
					rel = strings.TrimPrefix(prefix, keyPrefix) + dir
				}
			}
			if !seen[rel] {
				seen[rel] = true
				out = append(out, rel)
			}
		}
		if p.Cursor == "" {
			break
		}
		cursor = p.Cursor
	}
	if len(out) == 0 {
		return nil, fs.ErrNotExist
	}
	return out, nil
}

// Stat describes key. Directories are detected by listing one child.
func (s *Storage) Stat(ctx context.Context, key string) (certmagic.KeyInfo, error) {
	raw, err := s.ns.Get(ctx, dataKey(key))
	if err == nil {
		var rec record
		if err := json.Unmarshal(raw, &rec); err != nil {
			return certmagic.KeyInfo{}, err
		}
		return certmagic.KeyInfo{Key: key, Modified: rec.Modified, Size: int64(len(rec.Value)), IsTerminal: true}, nil
	}
	if !errors.Is(err, kv.ErrNotFound) {
		return certmagic.KeyInfo{}, err
	}
	p, err := s.ns.ListPage(ctx, dataKey(strings.TrimSuffix(key, "/")+"/"), "",
		1) // EXPECT kvlimits
	if err != nil {
		return certmagic.KeyInfo{}, err
	}
	if len(p.Keys) == 0 {
		return certmagic.KeyInfo{}, fs.ErrNotExist
	}
	return certmagic.KeyInfo{Key: key, IsTerminal: false}, nil
}
