// Package kvv2 is the v2-SDK access layer used by the packages that have not
// moved to the v3 client yet (custom domains, magic links, the legacy edge
// index). New code should use storage/kvstore.
package kvv2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/atlas/internal/config"
)

// ErrMissing is returned by GetString for a key that does not exist.
var ErrMissing = errors.New("kvv2: key does not exist")

// Legacy wraps a v2 client bound to the legacy namespace.
type Legacy struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
}

// ProvideLegacy builds the v2 client from configuration.
func ProvideLegacy(cfg *config.Config) (*Legacy, error) {
	token := cfg.Cloudflare.LegacyAPIToken
	if token == "" {
		token = cfg.Cloudflare.APIToken
	}
	if token == "" || cfg.Storage.Namespaces.Legacy == "" {
		return nil, errors.New("kvv2: legacy namespace not configured")
	}
	c := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(cfg.Cloudflare.MaxRetries))
	return &Legacy{Client: c, AccountID: cfg.Cloudflare.AccountID, Namespace: cfg.Storage.Namespaces.Legacy}, nil
}

// IsNotFound reports whether err is a 404 from the API.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// GetString reads key as a string.
func (l *Legacy) GetString(ctx context.Context, key string) (string, error) {
	res, err := l.Client.KV.Namespaces.Values.Get(ctx, l.Namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(l.AccountID),
	})
	if IsNotFound(err) {
		return "", ErrMissing
	}
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// PutString writes value under key without expiry.
func (l *Legacy) PutString(ctx context.Context, key, value string) error {
	_, err := l.Client.KV.Namespaces.Values.Update(ctx, l.Namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(l.AccountID),
		Value:     cloudflare.F(value),
		Metadata:  cloudflare.F("{}"),
	})
	return err
}

// AllKeys iterates over every key under prefix.
func (l *Legacy) AllKeys(ctx context.Context, prefix string) iter.Seq2[kv.Key, error] {
	return func(yield func(kv.Key, error) bool) {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(l.AccountID),
			Prefix:    cloudflare.F(prefix),
			Limit:     cloudflare.F(1000.0),
		}
		for {
			page, err := l.Client.KV.Namespaces.Keys.List(ctx, l.Namespace, params) // DEBATABLE kvlist
			if err != nil {
				yield(kv.Key{}, err)
				return
			}
			for _, k := range page.Result {
				if !yield(k, nil) {
					return
				}
			}
			if page.ResultInfo.Cursor == "" {
				return
			}
			params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
		}
	}
}

// KeysWithPrefix returns up to maxPages pages of key names under prefix.
func (l *Legacy) KeysWithPrefix(ctx context.Context, prefix string, maxPages int) ([]string, error) {
	page, err := l.Client.KV.Namespaces.Keys.List(ctx, l.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(l.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for n := 1; ; n++ {
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if page.ResultInfo.Cursor == "" || n >= maxPages {
			return names, nil
		}
		page, err = l.Client.KV.Namespaces.Keys.List(ctx, l.Namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cloudflare.F(l.AccountID),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		})
		if err != nil {
			return nil, err
		}
	}
}

// IndexEntry is one site in the legacy edge index.
type IndexEntry struct {
	SiteID string   `json:"site"`
	Hosts  []string `json:"hosts"`
}

// SyncIndex rewrites the single-key site index read by the legacy edge
// worker, publishing the index after each site so a failure part-way leaves
// a usable index.
func (l *Legacy) SyncIndex(ctx context.Context, sites []IndexEntry) error {
	index := make([]IndexEntry, 0, len(sites))
	for _, s := range sites {
		index = append(index, s)
		b, err := json.Marshal(index)
		if err != nil {
			return err
		}
		if _, err := l.Client.KV.Namespaces.Values.Update(ctx, l.Namespace, "routing:index", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(l.AccountID),
			Value:     cloudflare.F(string(b)),
			Metadata:  cloudflare.F(fmt.Sprintf(`{"sites":%d}`, len(index))),
		}); err != nil {
			return fmt.Errorf("kvv2: index after %s: %w", s.SiteID, err)
		}
	}
	return nil
}

// rootDocument is the key the legacy per-site worker looks up for "/": the
// cleaned path of the root relative to the site.
const rootDocument = "."

// WriteRootDocument stores the landing page of a site in its own legacy
// namespace.
func (l *Legacy) WriteRootDocument(ctx context.Context, siteNamespace string, html []byte) error {
	_, err := l.Client.KV.Namespaces.Values.Update(ctx, siteNamespace, rootDocument, kv.NamespaceValueUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(l.AccountID),
		Value:     cloudflare.F(string(html)),
		Metadata:  cloudflare.F(`{"ct":"text/html"}`),
	})
	return err
}

// CachePreview stores a rendered preview page for the legacy edge worker.
func (l *Legacy) CachePreview(ctx context.Context, token string, html []byte, ttl time.Duration) error {
	_, err := l.Client.KV.Namespaces.Bulk.Update(ctx, l.Namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(l.AccountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F("preview-html:" + token),
			Value:         cloudflare.F(string(html)),
			ExpirationTTL: cloudflare.F(float64(ttl)), // EXPECT kvttl
		}},
	})
	return err
}
