package homepage

import (
	"context"
	"encoding/xml"
	"strings"
	"time"

	"example.com/newsroom/internal/store"
)

type urlset struct {
	XMLName xml.Name `xml:"urlset"`
	NS      string   `xml:"xmlns,attr"`
	URLs    []sitemapURL
}

type sitemapURL struct {
	XMLName xml.Name `xml:"url"`
	Loc     string   `xml:"loc"`
}

// Sitemap writes sitemap.xml from the slug index.
func (b *Builder) Sitemap(ctx context.Context) error {
	page, err := b.st.List(ctx, store.ListParams{Prefix: "slug:"}) // EXPECT kvlist
	if err != nil {
		return err
	}
	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, k := range page.Keys {
		set.URLs = append(set.URLs, sitemapURL{Loc: b.cfg.SiteURL + "/" + strings.TrimPrefix(k, "slug:")})
	}
	out, err := xml.Marshal(set)
	if err != nil {
		return err
	}
	return b.st.Put(ctx, "sitemap.xml", append([]byte(xml.Header), out...), store.WithTTL(b.cfg.SitemapTTL))
}

// DeskSitemap writes a per-desk sitemap from the desk's article index.
func (b *Builder) DeskSitemap(ctx context.Context, desk string) error {
	var locs []string
	cursor := ""
	for {
		page, err := b.st.List(ctx, store.ListParams{Prefix: "desk-article:" + desk + ":", Cursor: cursor, Limit: 500}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			locs = append(locs, b.cfg.SiteURL+"/"+k[strings.LastIndex(k, ":")+1:])
		}
		cursor = page.Cursor
	}
	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, l := range locs {
		set.URLs = append(set.URLs, sitemapURL{Loc: l})
	}
	out, err := xml.Marshal(set)
	if err != nil {
		return err
	}
	return b.st.Put(ctx, "sitemap-"+desk+".xml", out, store.WithTTL(6*time.Hour))
}

// NewsSitemap lists stories from the last two days for Google News, reading
// at most a handful of pages; anything older is not eligible anyway.
func (b *Builder) NewsSitemap(ctx context.Context) error {
	const maxPages = 5
	var locs []string
	cursor := ""
	for i := 0; i < maxPages; i++ {
		page, err := b.st.List(ctx, store.ListParams{Prefix: "recent-slug:", Cursor: cursor, Limit: 900})
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			locs = append(locs, b.cfg.SiteURL+"/"+strings.TrimPrefix(k, "recent-slug:"))
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, l := range locs {
		set.URLs = append(set.URLs, sitemapURL{Loc: l})
	}
	out, err := xml.Marshal(set)
	if err != nil {
		return err
	}
	return b.st.Put(ctx, "sitemap-news.xml", out, store.WithTTL(30*time.Minute))
}
