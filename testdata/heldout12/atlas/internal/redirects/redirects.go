// Package redirects manages per-site redirect rules.
package redirects

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/atlas/internal/cfkv"
	"example.com/atlas/internal/consts"
	"example.com/atlas/internal/storage"
)

// Rule sends requests for From to To with Code.
type Rule struct {
	From  string    `json:"from"`
	To    string    `json:"to"`
	Code  int       `json:"code"`
	Until time.Time `json:"until,omitempty"`
}

func (r Rule) validate() error {
	if !strings.HasPrefix(r.From, "/") {
		return fmt.Errorf("redirects: from %q must be a path", r.From)
	}
	if r.To == "" {
		return errors.New("redirects: empty target")
	}
	switch r.Code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return nil
	}
	return fmt.Errorf("redirects: unsupported status %d", r.Code)
}

// Service reads rules through the storage port and edits them with the API
// client directly (the edit path predates the port).
type Service struct {
	store storage.Store
	ns    cfkv.Namespace
}

func New(s storage.Store, ns cfkv.Namespace) *Service {
	return &Service{store: s, ns: ns}
}

func rulesKey(siteID string) string { return consts.PrefixRedirect.Key(siteID) }

// AddRule appends r to the site's rules, replacing a rule with the same From.
func (s *Service) AddRule(ctx context.Context, siteID string, r Rule) error {
	if err := r.validate(); err != nil {
		return err
	}
	key := url.PathEscape(rulesKey(siteID))
	var rules []Rule
	res, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	switch {
	case cfkv.IsNotFound(err):
	case err != nil:
		return err
	default:
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		if err := json.Unmarshal(body, &rules); err != nil {
			return err
		}
	}
	rules = slices.DeleteFunc(rules, func(x Rule) bool { return x.From == r.From })
	rules = append(rules, r)
	out, err := json.Marshal(rules)
	if err != nil {
		return err
	}
	_, err = s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(string(out)),
		Metadata:  cloudflare.F(fmt.Sprintf(`{"count":%d}`, len(rules))),
	})
	return err
}

// Import replaces all rules of a site with rules, reporting progress.
func (s *Service) Import(ctx context.Context, siteID string, rules []Rule) error {
	progressKey := consts.PrefixImport.Key(siteID, "redirects")
	valid := make([]Rule, 0, len(rules))
	for i, r := range rules {
		if err := r.validate(); err != nil {
			return fmt.Errorf("rule %d: %w", i, err)
		}
		valid = append(valid, r)
		status := fmt.Sprintf(`{"done":%d,"total":%d}`, i+1, len(rules))
		if err := s.store.Put(ctx, progressKey, []byte(status), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	b, err := json.Marshal(valid)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, rulesKey(siteID), b, 0)
}

// AddTemporary stores a rule that disappears at r.Until, for maintenance
// windows and launch-day campaigns.
func (s *Service) AddTemporary(ctx context.Context, siteID string, r Rule) error {
	if err := r.validate(); err != nil {
		return err
	}
	if !r.Until.After(time.Now()) {
		return errors.New("redirects: temporary rule already over")
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	key := consts.PrefixTempRedir.Key(siteID, ruleHash(r.From))
	return s.store.Put(ctx, key, b, time.Until(r.Until)) // EXPECT kvttl
}

// RecordHit counts a redirect served from the edge.
func (s *Service) RecordHit(ctx context.Context, siteID, from string) error {
	key := consts.PrefixRedirHits.Key(siteID, ruleHash(from))
	n := 0
	b, err := s.store.Get(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(string(b)); err != nil {
			return err
		}
	}
	return s.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0) // EXPECT kvcounter
}

func ruleHash(from string) string {
	sum := sha1.Sum([]byte(from))
	return hex.EncodeToString(sum[:8])
}
