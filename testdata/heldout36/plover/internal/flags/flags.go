//go:build js && wasm

// Package flags evaluates feature flags at the edge. Definitions come from the
// control plane and are cached in KV per tenant; evaluation itself is pure.
package flags

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/fernhill/plover/internal/coalesce"
	"github.com/fernhill/plover/internal/kvstore"
	"github.com/fernhill/plover/internal/plan"
	"github.com/syumai/workers/cloudflare"
)

// ErrUnknownFlag is returned when neither the cache nor the origin knows a flag.
var ErrUnknownFlag = errors.New("flags: unknown flag")

// negativeMarker is cached in place of a definition the origin does not have.
const negativeMarker = "-"

// segmentNegativeTTL is how long an unknown segment is remembered.
const segmentNegativeTTL = 3 * time.Minute

// Variant is one arm of a flag.
type Variant struct {
	Name   string          `json:"name"`
	Weight int             `json:"weight"`
	Value  json.RawMessage `json:"value"`
}

// Flag is a flag definition as served by the control plane.
type Flag struct {
	Key      string    `json:"key"`
	Version  int       `json:"version"`
	Enabled  bool      `json:"enabled"`
	Variants []Variant `json:"variants"`
	Segments []string  `json:"segments,omitempty"`
	EndsAt   time.Time `json:"ends_at,omitempty"`
}

// Snapshot is a flag as cached for one tenant.
type Snapshot struct {
	Tenant  string    `json:"tenant"`
	Flag    Flag      `json:"flag"`
	SavedAt time.Time `json:"saved_at"`
	ttl     time.Duration
}

// Key implements kvstore.Record.
func (s Snapshot) Key() string { return "t:" + s.Tenant + ":flag:" + s.Flag.Key }

// Lifetime implements kvstore.Record.
func (s Snapshot) Lifetime() time.Duration { return s.ttl }

// Evaluator resolves flag definitions through the KV cache.
type Evaluator struct {
	cache  *kvstore.Store
	origin *Origin
	group  coalesce.Group
}

// NewEvaluator returns an evaluator backed by cache and origin.
func NewEvaluator(cache *kvstore.Store, origin *Origin) *Evaluator {
	return &Evaluator{cache: cache, origin: origin}
}

// Definition returns the flag definition for tenant, reading through the
// cache and coalescing concurrent misses into one origin request.
func (e *Evaluator) Definition(ctx context.Context, tenant, tier, key string) (*Flag, error) {
	ts := e.cache.Sub("t:" + tenant + ":")
	ck := "flag:" + key
	raw, ok, err := ts.Get(ctx, ck)
	if err != nil {
		return nil, fmt.Errorf("definition %s/%s: %w", tenant, key, err)
	}
	if ok {
		if raw == negativeMarker {
			return nil, ErrUnknownFlag
		}
		var f Flag
		if err := json.Unmarshal([]byte(raw), &f); err == nil {
			return &f, nil
		}
	}
	pol := plan.For(tier)
	v, err, _ := e.group.Do(tenant+"/"+key, func() (any, error) {
		f, err := e.origin.Flag(ctx, tenant, key)
		if errors.Is(err, ErrUnknownFlag) {
			if perr := ts.Put(ctx, ck, negativeMarker, pol.NegativeTTL); perr != nil {
				return nil, perr
			}
			return nil, err
		}
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(f)
		if err := ts.Put(ctx, ck, string(b), pol.CacheTTL); err != nil { // EXPECT kvttl
			return nil, err
		}
		return f, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Flag), nil
}

// Segment returns the member list hash for a segment, cached with a short
// edge read TTL because segments change during campaigns.
func (e *Evaluator) Segment(ctx context.Context, tenant, name string) (string, error) {
	ns := e.cache.Namespace()
	k := "seg:" + tenant + ":" + name
	v, err := ns.GetString(k, &cloudflare.KVNamespaceGetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		return "", fmt.Errorf("segment %s: %w", name, err)
	}
	if v != nullValue {
		if v == negativeMarker {
			return "", ErrUnknownFlag
		}
		return v, nil
	}
	members, err := e.origin.Segment(ctx, tenant, name)
	if errors.Is(err, ErrUnknownFlag) {
		_ = ns.PutString(k, negativeMarker, &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int(segmentNegativeTTL), // EXPECT kvttl
		})
		return "", err
	}
	if err != nil {
		return "", err
	}
	if err := ns.PutString(k, members, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900}); err != nil {
		return "", err
	}
	return members, nil
}

const nullValue = "<null>"

// Warm caches snapshots for every flag of a tenant after a publish.
func (e *Evaluator) Warm(ctx context.Context, tenant, tier string, defs []Flag) error {
	pol := plan.For(tier)
	snaps := make([]Snapshot, 0, len(defs))
	for _, f := range defs {
		snaps = append(snaps, Snapshot{Tenant: tenant, Flag: f, SavedAt: time.Now(), ttl: max(pol.CacheTTL, 5*time.Minute)})
	}
	return kvstore.SaveAll(ctx, e.cache, snaps)
}

// Bucket maps a subject to a stable bucket in [0, 10000).
func Bucket(flagKey, subject string) int {
	sum := sha256.Sum256([]byte(flagKey + "\x00" + subject))
	n, _ := strconv.ParseUint(hex.EncodeToString(sum[:4]), 16, 32)
	return int(n % 10000)
}

// Choose picks the variant for subject.
func (f *Flag) Choose(subject string) *Variant {
	if !f.Enabled || len(f.Variants) == 0 {
		return nil
	}
	total := 0
	for _, v := range f.Variants {
		total += v.Weight
	}
	if total == 0 {
		return &f.Variants[0]
	}
	b := Bucket(f.Key, subject) % total
	for i := range f.Variants {
		if b < f.Variants[i].Weight {
			return &f.Variants[i]
		}
		b -= f.Variants[i].Weight
	}
	return &f.Variants[len(f.Variants)-1]
}

// Origin is the control-plane client.
type Origin struct {
	Base   string
	Token  string
	Client *http.Client
}

func (o *Origin) get(ctx context.Context, path string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.Base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+o.Token)
	res, err := o.Client.Do(req)
	if err != nil {
		return fmt.Errorf("origin %s: %w", path, err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return ErrUnknownFlag
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("origin %s: status %d", path, res.StatusCode)
	}
	return json.NewDecoder(res.Body).Decode(dst)
}

// Flag fetches one flag definition.
func (o *Origin) Flag(ctx context.Context, tenant, key string) (*Flag, error) {
	var f Flag
	if err := o.get(ctx, "/v1/tenants/"+tenant+"/flags/"+key, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Segment fetches a segment's member hash.
func (o *Origin) Segment(ctx context.Context, tenant, name string) (string, error) {
	var out struct {
		Hash string `json:"hash"`
	}
	if err := o.get(ctx, "/v1/tenants/"+tenant+"/segments/"+name, &out); err != nil {
		return "", err
	}
	return out.Hash, nil
}

func sha256Sum(s string) [32]byte { return sha256.Sum256([]byte(s)) }
