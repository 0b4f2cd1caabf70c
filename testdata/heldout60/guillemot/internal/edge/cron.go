//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"go.opentelemetry.io/otel/attribute"

	"github.com/forumworks/guillemot/internal/edgekv"
)

const (
	defaultSitemapMax = 40_000
	maxFeaturedPages  = 5
	featuredSize      = 12
)

// Scheduled runs the Worker's cron triggers (see wrangler.toml).
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ctx, span := tracer.Start(ctx, "edge.scheduled")
	defer span.End()
	span.SetAttributes(attribute.String("cron", ev.Cron))
	switch ev.Cron {
	case "*/30 * * * *":
		return rebuildSitemap(ctx)
	case "0 * * * *":
		return refreshFeatured(ctx)
	}
	return fmt.Errorf("edge: unknown cron %q", ev.Cron)
}

type urlset struct {
	XMLName xml.Name `xml:"urlset"`
	NS      string   `xml:"xmlns,attr"`
	URLs    []string `xml:"url>loc"`
}

// rebuildSitemap writes the sitemap of public profiles.
func rebuildSitemap(ctx context.Context) error {
	ns, err := cloudflare.NewKVNamespace("PROFILES")
	if err != nil {
		return err
	}
	limit := defaultSitemapMax
	if raw, err := ns.GetString("config:sitemap-max", nil); err == nil { // DEBATABLE kvnull
		if n, err := strconv.Atoi(raw); err == nil && n > 0 {
			limit = n
		}
	}

	var handles []string
	opts := &cloudflare.KVNamespaceListOptions{
		Prefix: "profile:",
		Limit:  2000, // EXPECT kvlimits
	}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			handles = append(handles, strings.TrimPrefix(k.Name, "profile:"))
		}
		opts.Cursor = res.Cursor
	}
	if len(handles) > limit {
		handles = handles[:limit]
	}

	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, h := range handles {
		set.URLs = append(set.URLs, "https://forum.example/u/"+h)
	}
	out, err := xml.Marshal(set)
	if err != nil {
		return err
	}
	return ns.PutString("sitemap:profiles", xml.Header+string(out), nil)
}

// refreshFeatured rebuilds the list of featured profiles shown on the home
// page from the moderators' "featured:<handle>" picks.
func refreshFeatured(ctx context.Context) error {
	ns, err := cloudflare.NewKVNamespace("PROFILES")
	if err != nil {
		return err
	}
	var featured []Profile
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "featured:", Limit: 100}
	for page := 0; page < maxFeaturedPages && len(featured) < featuredSize; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			handle := strings.TrimPrefix(k.Name, "featured:")
			raw, err := ns.GetString("profile:"+handle, nil) // EXPECT kvlist
			if err != nil || raw == edgekv.Null {
				continue
			}
			var p Profile
			if json.Unmarshal([]byte(raw), &p) == nil {
				featured = append(featured, p)
			}
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 100}
	}
	data, err := json.Marshal(featured[:min(len(featured), featuredSize)])
	if err != nil {
		return err
	}
	return ns.PutString("home:featured", string(data), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 2 * 3600})
}
