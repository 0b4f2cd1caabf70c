package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/xml"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type urlset struct {
	XMLName xml.Name `xml:"urlset"`
	Xmlns   string   `xml:"xmlns,attr"`
	URLs    []sitemapURL
}

type sitemapURL struct {
	XMLName xml.Name `xml:"url"`
	Loc     string   `xml:"loc"`
	LastMod string   `xml:"lastmod,omitempty"`
}

const siteBase = "https://shop.example.com"

// renderSitemap writes sitemap.xml into KV for the Feeds handler.
func renderSitemap(ctx context.Context, db *sql.DB, ns *kv.Namespace) error {
	rows, err := db.QueryContext(ctx, `SELECT sku, updated_at FROM products WHERE discontinued_at IS NULL`)
	if err != nil {
		return err
	}
	defer rows.Close()
	set := urlset{Xmlns: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for rows.Next() {
		var sku string
		var updated time.Time
		if err := rows.Scan(&sku, &updated); err != nil {
			return err
		}
		set.URLs = append(set.URLs, sitemapURL{
			Loc:     fmt.Sprintf("%s/p/%s", siteBase, sku),
			LastMod: updated.Format(time.DateOnly),
		})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(set); err != nil {
		return err
	}
	keep := 48 * time.Hour
	return ns.PutReader("sitemap.xml", &buf, &kv.PutOptions{ExpirationTTL: int(keep.Seconds())})
}

// renderMerchantFeed writes the product feed for the shopping ads crawler.
func renderMerchantFeed(ctx context.Context, db *sql.DB, ns *kv.Namespace) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header + `<rss version="2.0"><channel>`)
	rows, err := db.QueryContext(ctx, `SELECT sku, name, price_cents FROM products WHERE discontinued_at IS NULL`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sku, name string
		var cents int
		if err := rows.Scan(&sku, &name, &cents); err != nil {
			return err
		}
		fmt.Fprintf(&buf, "<item><id>%s</id><title>", sku)
		_ = xml.EscapeText(&buf, []byte(name))
		fmt.Fprintf(&buf, "</title><price>%d.%02d USD</price></item>", cents/100, cents%100)
	}
	buf.WriteString(`</channel></rss>`)
	return ns.PutReader("feed:merchant.xml", &buf, &kv.PutOptions{
		ExpirationTTL: int(36 * time.Hour), // EXPECT kvttl
	})
}
