// Package tokenmeta caches ERC-721 token metadata fetched from token URIs.
package tokenmeta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mohua-labs/mohua/internal/events"
	"github.com/mohua-labs/mohua/internal/kvrest"
	"github.com/mohua-labs/mohua/internal/rx"
)

// ErrNoMetadata means the token URI answered 404.
var ErrNoMetadata = errors.New("tokenmeta: no metadata")

// URIResolver resolves the tokenURI of a token.
type URIResolver interface {
	TokenURI(ctx context.Context, chainID uint64, contract, id string) (string, error)
}

// Cache is a read-through cache of token metadata.
type Cache struct {
	store *kvrest.Store
	ns    kvrest.Namespace
	uris  URIResolver
	http  *http.Client
	TTL   time.Duration
}

// New returns a Cache.
func New(store *kvrest.Store, ns kvrest.Namespace, uris URIResolver) *Cache {
	return &Cache{store: store, ns: ns, uris: uris, http: &http.Client{Timeout: 10 * time.Second}, TTL: 24 * time.Hour}
}

func metaKey(chainID uint64, contract, id string) string {
	return fmt.Sprintf("meta:%d:%s:%s", chainID, strings.ToLower(contract), id)
}

type fetched struct {
	ev     events.MetadataStale
	body   []byte
	expiry time.Time
	err    error
}

// Run refreshes metadata for every stale token announced on the bus.
func (c *Cache) Run(ctx context.Context, bus *events.Registry) <-chan struct{} {
	stale := rx.FromChannel(bus.MetadataStale.Chan(512)).
		Distinct(func(m events.MetadataStale) string { return metaKey(m.ChainID, m.Contract, m.TokenID) }).
		Filter(func(m events.MetadataStale) bool { return m.TokenID != "" })
	results := rx.Map(stale, func(m events.MetadataStale) fetched {
		body, exp, err := c.fetch(ctx, m)
		return fetched{ev: m, body: body, expiry: exp, err: err}
	})
	return results.ForEach(ctx, func(f fetched) {
		key := metaKey(f.ev.ChainID, f.ev.Contract, f.ev.TokenID)
		var err error
		switch {
		case errors.Is(f.err, ErrNoMetadata):
			err = c.store.PutTTL(ctx, c.ns, "neg:"+key, []byte("1"), 30*time.Second) // EXPECT kvttl
		case f.err != nil:
			err = c.store.PutCached(ctx, c.ns, "neg:"+key, []byte(f.err.Error()), 15*time.Second)
		case !f.expiry.IsZero():
			err = c.store.PutTTL(ctx, c.ns, key, f.body, time.Until(f.expiry)) // EXPECT kvttl
		default:
			err = c.store.PutTTL(ctx, c.ns, key, f.body, c.TTL)
		}
		if err != nil {
			slog.Warn("metadata write", "key", key, "err", err)
		}
	}, func(err error) { slog.Error("metadata stream", "err", err) }, nil)
}

func (c *Cache) fetch(ctx context.Context, m events.MetadataStale) ([]byte, time.Time, error) {
	uri, err := c.uris.TokenURI(ctx, m.ChainID, m.Contract, m.TokenID)
	if err != nil {
		return nil, time.Time{}, err
	}
	uri = strings.Replace(uri, "ipfs://", "https://ipfs.io/ipfs/", 1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, time.Time{}, err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return nil, time.Time{}, ErrNoMetadata
	}
	if res.StatusCode != http.StatusOK {
		return nil, time.Time{}, fmt.Errorf("token uri: %s", res.Status)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, time.Time{}, err
	}
	var exp time.Time
	if h := res.Header.Get("Expires"); h != "" {
		exp, _ = http.ParseTime(h)
	}
	return body, exp, nil
}

// Get returns cached metadata, fetching it on a miss.
func (c *Cache) Get(ctx context.Context, chainID uint64, contract, id string) (json.RawMessage, error) {
	key := metaKey(chainID, contract, id)
	raw, err := c.store.Get(ctx, c.ns, key)
	if err == nil {
		return raw, nil
	}
	if !errors.Is(err, kvrest.ErrNotFound) {
		return nil, err
	}
	if _, err := c.store.Get(ctx, c.ns, "neg:"+key); err == nil {
		return nil, ErrNoMetadata
	}
	body, exp, err := c.fetch(ctx, events.MetadataStale{ChainID: chainID, Contract: contract, TokenID: id})
	if err != nil {
		return nil, err
	}
	ttl := c.TTL
	if !exp.IsZero() {
		ttl = max(time.Until(exp), time.Minute)
	}
	return body, c.store.PutTTL(ctx, c.ns, key, body, ttl)
}

// RefreshAll re-validates every cached entry of a collection and returns how
// many were dropped because the token URI no longer answers.
func (c *Cache) RefreshAll(ctx context.Context, chainID uint64, contract string) (int, error) {
	prefix := fmt.Sprintf("meta:%d:%s:", chainID, strings.ToLower(contract))
	dropped := 0
	cursor := ""
	for {
		page, err := c.store.ListPage(ctx, c.ns, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return dropped, err
		}
		for _, k := range page.Keys {
			raw, err := c.store.Get(ctx, c.ns, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var doc struct {
				Image string `json:"image"`
			}
			if json.Unmarshal(raw, &doc) != nil || doc.Image == "" {
				if err := c.store.Delete(ctx, c.ns, k.Name); err == nil {
					dropped++
				}
			}
		}
		if page.Cursor == "" {
			return dropped, nil
		}
		cursor = page.Cursor
	}
}

// Sample returns up to pages*1000 cached keys of a collection for the admin view.
func (c *Cache) Sample(ctx context.Context, chainID uint64, contract string, pages int) ([]string, error) {
	prefix := fmt.Sprintf("meta:%d:%s:", chainID, strings.ToLower(contract))
	var names []string
	cursor := ""
	for range pages {
		page, err := c.store.ListPage(ctx, c.ns, prefix, cursor, 1000)
		if err != nil {
			return names, err
		}
		for _, k := range page.Keys {
			names = append(names, k.Name+" exp="+strconv.FormatFloat(k.Expiration, 'f', 0, 64))
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return names, nil
}
