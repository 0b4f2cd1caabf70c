// Package sitemap writes sitemap.xml (and its parts) for the edge site from
// the article keys in the content namespace.
package sitemap

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"example.com/feeds/internal/kv"
)

const urlsPerFile = 50_000

// Deps are the storage functions the builder uses.
type Deps struct {
	Keys func(ctx context.Context, prefix string) iter.Seq2[kv.KeyInfo, error]
	List func(ctx context.Context, p kv.ListParams) (kv.Page, error)
	Get  func(ctx context.Context, key string) ([]byte, error)
	Put  func(ctx context.Context, key string, value []byte, opts kv.PutOptions) error
}

// Builder renders sitemaps.
type Builder struct {
	deps    Deps
	baseURL string
	now     func() time.Time
}

// New returns a builder for baseURL (no trailing slash).
func New(deps Deps, baseURL string) *Builder {
	return &Builder{deps: deps, baseURL: strings.TrimRight(baseURL, "/"), now: time.Now}
}

type urlEntry struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type urlSet struct {
	XMLName xml.Name   `xml:"urlset"`
	NS      string     `xml:"xmlns,attr"`
	URLs    []urlEntry `xml:"url"`
}

type sitemapIndex struct {
	XMLName  xml.Name   `xml:"sitemapindex"`
	NS       string     `xml:"xmlns,attr"`
	Sitemaps []urlEntry `xml:"sitemap"`
}

const ns = "http://www.sitemaps.org/schemas/sitemap/0.9"

func (b *Builder) entry(k kv.KeyInfo) urlEntry {
	slug, _ := k.Metadata["slug"].(string)
	if slug == "" {
		slug = strings.TrimPrefix(k.Name, "article:")
	}
	e := urlEntry{Loc: b.baseURL + "/a/" + slug}
	if lm, ok := k.Metadata["lastmod"].(string); ok {
		e.LastMod = lm
	}
	return e
}

// Build writes sitemap.xml and sitemap-N.xml for every article.
func (b *Builder) Build(ctx context.Context) error {
	var urls []urlEntry
	for k, err := range b.deps.Keys(ctx, "article:") { // EXPECT kvlist
		if err != nil {
			return err
		}
		urls = append(urls, b.entry(k))
	}

	gen, err := b.nextGeneration(ctx)
	if err != nil {
		return err
	}
	var index sitemapIndex
	index.NS = ns
	for part := 0; part*urlsPerFile < len(urls); part++ {
		chunk := urls[part*urlsPerFile : min((part+1)*urlsPerFile, len(urls))]
		name := fmt.Sprintf("sitemap-%d-%d.xml", gen, part)
		if err := b.write(ctx, name, urlSet{NS: ns, URLs: chunk}, 48*time.Hour); err != nil {
			return err
		}
		index.Sitemaps = append(index.Sitemaps, urlEntry{Loc: b.baseURL + "/" + name, LastMod: b.now().UTC().Format(time.RFC3339)})
	}
	return b.write(ctx, "sitemap.xml", index, 0)
}

// nextGeneration numbers each build so that the part files of an older
// index stay readable until they expire.
func (b *Builder) nextGeneration(ctx context.Context) (int, error) {
	gen := 0
	raw, err := b.deps.Get(ctx, "sitemap:generation")
	if err == nil {
		gen, _ = strconv.Atoi(string(raw))
	} else if !kv.IsNotFound(err) {
		return 0, err
	}
	gen++
	return gen, b.deps.Put(ctx, "sitemap:generation", []byte(strconv.Itoa(gen)), kv.PutOptions{}) // EXPECT kvcounter
}

// BuildNews writes the Google News sitemap: only the newest articles, so it
// reads a bounded number of pages.
func (b *Builder) BuildNews(ctx context.Context, maxPages int) error {
	var urls []urlEntry
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := b.deps.List(ctx, kv.ListParams{Prefix: "teaser:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			urls = append(urls, b.entry(k))
		}
		if res.Complete {
			break
		}
		cursor = res.Cursor
	}
	return b.write(ctx, "sitemap-news.xml", urlSet{NS: ns, URLs: urls}, 2*time.Hour)
}

func (b *Builder) write(ctx context.Context, name string, doc any, ttl time.Duration) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return b.deps.Put(ctx, "file:"+name, buf.Bytes(), kv.PutOptions{
		TTL:      ttl,
		Metadata: map[string]string{"content-type": "application/xml"},
	})
}
