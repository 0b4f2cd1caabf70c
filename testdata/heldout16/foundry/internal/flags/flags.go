// Package flags serves feature flags and experiment assignments to game
// clients. Flags change rarely and are read on every session start.
package flags

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/foundry/internal/keys"
)

// Kind is the shape of a flag's value.
type Kind int

const (
	Boolean Kind = iota
	Percentage
	Variant
)

// Flag is a feature flag definition.
type Flag struct {
	Name     string    `json:"name"`
	Kind     Kind      `json:"kind"`
	Enabled  bool      `json:"enabled"`
	Percent  int       `json:"percent,omitempty"`
	Variants []string  `json:"variants,omitempty"`
	Updated  time.Time `json:"updated"`
}

// exposureTTL is how long an exposure record is kept for analysis, by kind.
var exposureTTL = map[Kind]time.Duration{
	Boolean:    24 * time.Hour,
	Percentage: 7 * 24 * time.Hour,
	Variant:    14 * 24 * time.Hour,
}

// Store reads and writes flags in the flags namespace.
type Store struct {
	cf        *cloudflare.Client
	accountID string
	ns        string
	ttls      map[Kind]time.Duration

	mu       sync.Mutex
	registry map[string]Flag // flags published through this admin instance
}

// NewStore returns a flag Store.
func NewStore(cf *cloudflare.Client, accountID, ns string) *Store {
	return &Store{cf: cf, accountID: accountID, ns: ns, ttls: exposureTTL, registry: map[string]Flag{}}
}

func flagKey(name string) string { return "flag/" + url.PathEscape(name) }

// Get returns a flag. The bool is false when the flag is not defined.
func (s *Store) Get(ctx context.Context, name string) (Flag, bool, error) {
	resp, err := s.cf.KV.Namespaces.Values.Get(ctx, s.ns, flagKey(name), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return Flag{}, false, fmt.Errorf("flags: get %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return Flag{}, false, nil
	}
	var f Flag
	err = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&f)
	return f, err == nil, err
}

// Publish stores a flag definition and refreshes the index clients poll.
func (s *Store) Publish(ctx context.Context, f Flag) error {
	f.Updated = time.Now().UTC()
	b, _ := json.Marshal(f)
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.ns, flagKey(f.Name), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.registry[f.Name] = f
	names := slices.Sorted(maps.Keys(s.registry))
	s.mu.Unlock()
	idx, _ := json.Marshal(names)
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.ns, "flags/index", kv.NamespaceValueUpdateParams{ // DEBATABLE kvhotkey
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(idx)),
	})
	return err
}

// RecordExposure notes that a player saw a flag's value.
func (s *Store) RecordExposure(ctx context.Context, f Flag, playerID, value string) error {
	ttl := s.ttls[f.Kind]
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape(keys.Join("exposure", f.Name, playerID)), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		ExpirationTTL: cloudflare.F(float64(ttl)), // EXPECT kvttl
	})
	return err
}
