// Package redirects manages a site's custom redirects. The edge Worker reads
// them from KV: the full rule set per site under "redirects/<site>", and one
// key per exact source path under "redirect/<site>/<path>" for fast lookups.
package redirects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"sunbird/internal/kvstore"
)

// Rule is one redirect.
type Rule struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Status int    `json:"status"`
}

// Validate checks a rule before it is stored.
func (r Rule) Validate() error {
	if !strings.HasPrefix(r.From, "/") {
		return fmt.Errorf("from %q must start with /", r.From)
	}
	if _, err := url.Parse(r.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	switch r.Status {
	case 301, 302, 307, 308:
		return nil
	}
	return fmt.Errorf("status %d is not a redirect", r.Status)
}

const (
	// renameSettle keeps the redirect from a renamed page until caches settle.
	renameSettle = 45 * time.Second
	// legacyShards is the size of the hashed lookup table the v1 edge used.
	legacyShards = 16384
)

// Rules stores redirect rules.
type Rules struct {
	KV *kvstore.Namespace
}

func setKey(site string) string        { return "redirects/" + site }
func pathKey(site, from string) string { return "redirect/" + site + from }

// List returns the site's rules.
func (s *Rules) List(ctx context.Context, site string) ([]Rule, error) {
	raw, err := s.KV.Get(ctx, setKey(site))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rules []Rule
	return rules, json.Unmarshal(raw, &rules)
}

// Add appends a rule to the site's rule set and publishes its lookup key.
func (s *Rules) Add(ctx context.Context, site string, rule Rule) error {
	if err := rule.Validate(); err != nil {
		return err
	}
	rules, err := s.List(ctx, site)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if r.From == rule.From {
			return fmt.Errorf("a redirect from %s already exists", rule.From)
		}
	}
	rules = append(rules, rule)
	raw, _ := json.Marshal(rules)
	if err := s.KV.Put(ctx, setKey(site), raw, 0); err != nil { // EXPECT kvrace
		return err
	}
	one, _ := json.Marshal(rule)
	return s.KV.Put(ctx, pathKey(site, rule.From), one, 0)
}

// Replace overwrites the whole rule set, as uploaded from a _redirects file.
func (s *Rules) Replace(ctx context.Context, site string, rules []Rule) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(rules)+1)
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			return err
		}
		one, _ := json.Marshal(r)
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: pathKey(site, r.From), Value: string(one)})
	}
	all, _ := json.Marshal(rules)
	pairs = append(pairs, &cloudflare.WorkersKVPair{Key: setKey(site), Value: string(all)})
	return s.KV.PutMany(ctx, pairs)
}

// putTemporary stores a lookup key that disappears after ttl.
func (s *Rules) putTemporary(ctx context.Context, site string, rule Rule, ttl time.Duration) error {
	one, _ := json.Marshal(rule)
	return s.KV.Put(ctx, pathKey(site, rule.From), one, ttl)
}

// Maintenance sends every visitor of a path to the status page for the
// given window.
func (s *Rules) Maintenance(ctx context.Context, site, from string, window time.Duration) error {
	rule := Rule{From: from, To: "https://status.sunbird.page/" + site, Status: 302}
	return s.putTemporary(ctx, site, rule, window)
}

// Renamed publishes a redirect from a page's old path while the new path
// propagates, then lets it lapse.
func (s *Rules) Renamed(ctx context.Context, site, oldPath, newPath string) error {
	one, _ := json.Marshal(Rule{From: oldPath, To: newPath, Status: 302})
	_, err := s.KV.API.WriteWorkersKVEntries(ctx, s.KV.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.KV.ID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        pathKey(site, oldPath),
			Value:      string(one),
			Expiration: int(time.Now().Add(renameSettle).Unix()), // EXPECT kvttl
		}},
	})
	return err
}

// PreviewRule lets the dashboard try a redirect for half an hour.
func (s *Rules) PreviewRule(ctx context.Context, site string, rule Rule) error {
	if err := rule.Validate(); err != nil {
		return err
	}
	return s.putTemporary(ctx, site, rule, 30*time.Minute)
}

// QuickTest publishes a rule long enough for the dashboard's link checker.
func (s *Rules) QuickTest(ctx context.Context, site string, rule Rule) error {
	return s.putTemporary(ctx, site, rule, 45*time.Second) // EXPECT kvttl
}

// ImportLegacy converts the v1 edge's sharded table. Every shard gets a key,
// empty shards included, so that the v1 edge keeps finding them during the
// migration window.
func (s *Rules) ImportLegacy(ctx context.Context, site string, shards map[int][]Rule) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, legacyShards)
	for i := range legacyShards {
		raw, _ := json.Marshal(shards[i])
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           fmt.Sprintf("legacy-redirects/%s/%05d", site, i),
			Value:         string(raw),
			ExpirationTTL: int((30 * 24 * time.Hour).Seconds()),
		})
	}
	_, err := s.KV.API.WriteWorkersKVEntries(ctx, s.KV.RC, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvlimits
		NamespaceID: s.KV.ID,
		KVs:         pairs,
	})
	return err
}
