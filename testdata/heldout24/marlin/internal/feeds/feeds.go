// Package feeds renders RSS documents for shows and caches them in KV so
// that podcast apps polling every few minutes never reach the catalog.
package feeds

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"strconv"
	"sync"
	"time"

	"example.com/marlin/internal/catalog"
	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

// Kind classifies a feed by audience.
type Kind int

const (
	KindPublic Kind = iota
	KindPrivate
	KindArchive
	numKinds
)

func (k Kind) prefix() string {
	return [...]string{KindPublic: "feed:pub:", KindPrivate: "feed:priv:", KindArchive: "feed:arch:"}[k]
}

// ttlFor is how long a rendered feed may be served from cache.
var ttlFor = map[Kind]time.Duration{
	KindPublic:  10 * time.Minute,
	KindPrivate: 30 * time.Second, // EXPECT kvttl
	KindArchive: 24 * time.Hour,
}

// itemsFor caps the number of <item> elements per kind.
var itemsFor = [...]int{KindPublic: 300, KindPrivate: 300, KindArchive: 5000}

// pageLimit is the listing page size used when sweeping a kind.
var pageLimit = [...]int{KindPublic: 1000, KindPrivate: 1000, KindArchive: 5000}

type rss struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel channel  `xml:"channel"`
}

type channel struct {
	Title    string `xml:"title"`
	Author   string `xml:"author"`
	Language string `xml:"language"`
	Items    []item `xml:"item"`
}

type item struct {
	GUID      string    `xml:"guid"`
	Title     string    `xml:"title"`
	Enclosure enclosure `xml:"enclosure"`
	PubDate   string    `xml:"pubDate"`
}

type enclosure struct {
	URL    string `xml:"url,attr"`
	Length int64  `xml:"length,attr"`
	Type   string `xml:"type,attr"`
}

// Cache renders and caches feeds.
type Cache struct {
	store   kv.Store
	catalog catalog.Catalog
	clock   clock.Clock
	embed   time.Duration
	miss    time.Duration

	hits  sync.Map // feed key -> *int64, guarded by hitMu
	hitMu sync.Mutex
}

// New returns a feed cache. embedTTL and negativeTTL come from
// configuration.
func New(store kv.Store, cat catalog.Catalog, c clock.Clock, embedTTL, negativeTTL time.Duration) *Cache {
	return &Cache{store: store, catalog: cat, clock: c, embed: embedTTL, miss: kv.ClampTTL(negativeTTL)}
}

// Render builds the RSS document for a show from the catalog.
func (c *Cache) Render(ctx context.Context, kind Kind, showID string) ([]byte, error) {
	show, err := c.catalog.Show(ctx, showID)
	if err != nil {
		return nil, err
	}
	eps, err := c.catalog.Episodes(ctx, showID)
	if err != nil {
		return nil, err
	}
	doc := rss{Version: "2.0", Channel: channel{Title: show.Title, Author: show.Author, Language: show.Language}}
	for i, e := range eps {
		if i >= itemsFor[kind] {
			break
		}
		doc.Channel.Items = append(doc.Channel.Items, item{
			GUID:      e.ID,
			Title:     e.Title,
			Enclosure: enclosure{URL: e.AudioURL, Length: e.Bytes, Type: "audio/mpeg"},
			PubDate:   e.PublishedAt.Format(time.RFC1123Z),
		})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Feed returns the cached document, rendering it on a miss.
func (c *Cache) Feed(ctx context.Context, kind Kind, showID string) ([]byte, error) {
	key := kind.prefix() + showID
	b, err := c.store.Get(ctx, key)
	if err == nil {
		return b, nil
	}
	if !kv.IsNotFound(err) {
		return nil, err
	}
	b, err = c.Render(ctx, kind, showID)
	if err != nil {
		return nil, err
	}
	if err := c.store.Put(ctx, key, b, kv.PutOptions{TTL: ttlFor[kind]}); err != nil {
		return nil, err
	}
	return b, nil
}

// PublicFeed is the read-through getter handed to the HTTP layer.
func (c *Cache) PublicFeed() kv.GetterFunc {
	load := kv.LoaderFunc(func(ctx context.Context, key string) ([]byte, error) {
		return c.Render(ctx, KindPublic, key[len(KindPublic.prefix()):])
	})
	return kv.ReadThrough(c.store, load, ttlFor[KindPublic])
}

// Embed returns the small HTML player snippet for an episode.
func (c *Cache) Embed(ctx context.Context, episodeID string) ([]byte, error) {
	key := "embed:" + episodeID
	if b, err := c.store.Get(ctx, key); err == nil {
		return b, nil
	} else if !kv.IsNotFound(err) {
		return nil, err
	}
	ep, err := c.catalog.Episode(ctx, episodeID)
	if err != nil {
		return nil, err
	}
	html := fmt.Appendf(nil, `<audio controls src=%q title=%q></audio>`, ep.AudioURL, ep.Title)
	return html, c.store.Put(ctx, key, html, kv.PutOptions{TTL: c.embed}) // DEBATABLE kvttl
}

// Served notes that a feed was served and publishes the running total so
// creators can see how often apps poll them.
func (c *Cache) Served(ctx context.Context, kind Kind, showID string) error {
	key := kind.prefix() + showID
	c.hitMu.Lock()
	v, _ := c.hits.LoadOrStore(key, new(int64))
	n := v.(*int64)
	*n++
	total := *n
	c.hitMu.Unlock()
	return c.store.Put(ctx, "feedhits:"+showID, []byte(strconv.FormatInt(total, 10)), kv.PutOptions{}) // EXPECT kvcounter
}
