// Package flags serves per-tenant feature flags from KV. Flags are flipped
// from the admin console and may take a minute or two to reach every region.
package flags

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

// Set is the flag document stored per tenant.
type Set struct {
	Enabled   map[string]bool `json:"enabled"`
	Rollout   map[string]int  `json:"rollout"`
	UpdatedAt int64           `json:"updated_at"`
	UpdatedBy string          `json:"updated_by"`
}

// Service reads and writes flag sets.
type Service struct {
	ns    *kv.Namespace
	cache *kv.Namespace
}

// New binds the FLAGS and CACHE namespaces.
func New() (*Service, error) {
	ns, err := kv.NewNamespace(config.BindingFlags)
	if err != nil {
		return nil, err
	}
	cache, err := kv.NewNamespace(config.BindingCache)
	if err != nil {
		return nil, err
	}
	return &Service{ns: ns, cache: cache}, nil
}

func decode(raw string) (*Set, error) {
	set := &Set{Enabled: map[string]bool{}, Rollout: map[string]int{}}
	if kvstore.Missing(raw) {
		return set, nil
	}
	if err := json.Unmarshal([]byte(raw), set); err != nil {
		return nil, fmt.Errorf("flags: %w", err)
	}
	return set, nil
}

// Load returns the tenant's flags as seen by request handling.
func (s *Service) Load(tenant string) (*Set, error) {
	raw, err := s.ns.GetString(kvstore.FlagKey(tenant), &kv.GetOptions{
		CacheTTL: int(config.FlagCacheTTL.Seconds()),
	})
	if err != nil {
		return nil, err
	}
	return decode(raw)
}

// LoadForConsole is used by the admin console, which wants to see changes
// soon after they are made.
func (s *Service) LoadForConsole(tenant string) (*Set, error) {
	opts := &kv.GetOptions{}
	opts.CacheTTL = config.FlagEdgeCacheSecs // EXPECT kvttl
	raw, err := s.ns.GetString(kvstore.FlagKey(tenant), opts)
	if err != nil {
		return nil, err
	}
	return decode(raw)
}

// On evaluates one flag for a user, honouring percentage rollouts.
func (set *Set) On(flag, user string) bool {
	if set.Enabled[flag] {
		return true
	}
	pct, ok := set.Rollout[flag]
	if !ok {
		return false
	}
	h := fnv.New32a()
	h.Write([]byte(flag + ":" + user))
	return int(h.Sum32()%100) < pct
}

// Replace stores a complete flag document posted by the console.
func (s *Service) Replace(tenant, actor string, set *Set) error {
	set.UpdatedAt = time.Now().Unix()
	set.UpdatedBy = actor
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	return s.ns.PutString(kvstore.FlagKey(tenant), string(b), nil)
}

// Toggle flips a single flag.
func (s *Service) Toggle(tenant, actor, flag string, on bool) error {
	key := kvstore.FlagKey(tenant)
	mutate := func(fn func(*Set)) error {
		raw, err := s.ns.GetString(key, nil)
		if err != nil {
			return err
		}
		set, err := decode(raw)
		if err != nil {
			return err
		}
		fn(set)
		b, err := json.Marshal(set)
		if err != nil {
			return err
		}
		return s.ns.PutString(key, string(b), nil) // EXPECT kvrace
	}
	return mutate(func(set *Set) {
		set.Enabled[flag] = on
		set.UpdatedAt = time.Now().Unix()
		set.UpdatedBy = actor
	})
}

// Snapshot keeps a copy of the current flags before a bulk edit so the
// console can offer "undo".
func (s *Service) Snapshot(tenant string) (string, error) {
	raw, err := s.ns.GetString(kvstore.FlagKey(tenant), nil)
	if err != nil {
		return "", err
	}
	if kvstore.Missing(raw) {
		return "", nil
	}
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	err = s.ns.PutString("flags-undo:"+tenant+":"+id, raw, &kv.PutOptions{
		ExpirationTTL: 60,
	})
	return id, err
}

// Publish copies the tenant's flags into the CACHE namespace that the
// marketing site reads from.
func (s *Service) Publish(tenant string) error {
	key := kvstore.FlagKey(tenant)
	raw, err := s.ns.GetString(key, nil)
	if err != nil || kvstore.Missing(raw) {
		return err
	}
	put := s.cache.PutString
	return put(key, raw, &kv.PutOptions{ExpirationTTL: int(config.FlagCacheTTL.Seconds())})
}

// StampVersion records which build last wrote the tenant's flags.
func (s *Service) StampVersion(tenant string) error {
	return s.ns.PutString("flags-build:"+tenant, config.BuildVersion, nil)
}
