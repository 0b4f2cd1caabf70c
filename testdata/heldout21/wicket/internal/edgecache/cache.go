//go:build js && wasm

package edgecache

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/wicket/internal/events"
)

// Cache reads and fills the CATALOG namespace.
type Cache struct {
	kv *cloudflare.KVNamespace
	up Upstream
}

func New(kv *cloudflare.KVNamespace, up Upstream) *Cache {
	return &Cache{kv: kv, up: up}
}

// Title returns a bibliographic record, filling the cache on a miss.
func (c *Cache) Title(ctx context.Context, isbn string) (json.RawMessage, error) {
	key := "title:" + isbn
	v, err := c.kv.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		return nil, err
	}
	if v != "<null>" {
		return json.RawMessage(v), nil
	}
	b, err := c.up.Get(ctx, c.up.ILSBase+"/discovery/v2/titles/"+isbn)
	if err != nil {
		return nil, err
	}
	if err := c.kv.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 6 * 60 * 60}); err != nil {
		return nil, err
	}
	return b, nil
}

// OpeningHours returns the council feed, cached for an hour.
func (c *Cache) OpeningHours(ctx context.Context) (json.RawMessage, error) {
	v, err := c.kv.GetString(openingHoursFeed, nil) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	if v != "<null>" {
		return json.RawMessage(v), nil
	}
	b, err := c.up.Get(ctx, openingHoursFeed)
	if err != nil {
		return nil, err
	}
	return b, c.kv.PutString(
		openingHoursFeed, // EXPECT kvlimits
		string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600})
}

// Banner returns the branch's notice banner (closures, events).
func (c *Cache) Banner(branch string) (string, error) {
	v, err := c.kv.GetString("banner:"+branch, &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	if v == "<null>" {
		return "", nil
	}
	return v, nil
}

// Suggestion is a search-as-you-type entry.
type Suggestion struct {
	Text  string `json:"text"`
	ISBN  string `json:"isbn,omitempty"`
	Count int    `json:"count"`
}

// Suggest returns the precomputed suggestions for a two-letter prefix.
func (c *Cache) Suggest(prefix string) ([]Suggestion, error) {
	prefix = strings.ToLower(prefix)
	if len(prefix) > 2 {
		prefix = prefix[:2]
	}
	raw, err := c.kv.GetString("suggest:"+prefix, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600}) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var out []Suggestion
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("edgecache: suggestions %q: %w", prefix, err)
	}
	return out, nil
}

// AddArrival puts a title at the front of the "just in" shelf.
func (c *Cache) AddArrival(a Arrival) error {
	const key = "arrivals:latest"
	raw, err := c.kv.GetString(key, nil)
	if err != nil {
		return err
	}
	var list []Arrival
	if raw != "<null>" {
		if list, err = decodeArrivals(raw); err != nil {
			return err
		}
	}
	list = append([]Arrival{a}, list...)
	if len(list) > 40 {
		list = list[:40]
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return c.kv.PutString(key, string(b), nil) // EXPECT kvrace
}

// Apply updates the cache from a batch of ILS events.
func (c *Cache) Apply(ctx context.Context, evs []events.Event) error {
	for _, ev := range evs {
		switch e := ev.(type) {
		case *events.TitleAdded:
			b, err := json.Marshal(e.Title)
			if err != nil {
				return err
			}
			if err := c.kv.PutString("title:"+string(e.Title.ISBN), string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 6 * 60 * 60}); err != nil {
				return err
			}
		case *events.TitleWithdrawn:
			if err := c.kv.Delete("title:" + string(e.ISBN)); err != nil {
				return err
			}
		default:
			continue
		}
		if err := c.kv.PutString("catalog:changed-at", ev.At().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// TitleISBNs lists cached titles for the nightly prewarm, at most maxPages
// pages.
func (c *Cache) TitleISBNs(maxPages int) ([]string, error) {
	var out []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "title:", Limit: 1000}
	for range maxPages {
		res, err := c.kv.List(opts) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, "title:"))
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return out, nil
}
