package publish

import (
	"strconv"
	"strings"
	"time"

	"github.com/korimako/korimako/internal/batch"
	"github.com/korimako/korimako/internal/sitetree"
)

// defaultCSP is sent with every published page unless the site overrides it.
const defaultCSP = "default-src 'self'; " +
	"script-src 'self' 'unsafe-inline' https://cdn.korimako.site https://www.googletagmanager.com https://www.google-analytics.com https://plausible.io https://js.stripe.com https://cdn.jsdelivr.net https://unpkg.com https://static.cloudflareinsights.com https://challenges.cloudflare.com; " +
	"style-src 'self' 'unsafe-inline' https://cdn.korimako.site https://fonts.googleapis.com https://cdn.jsdelivr.net https://use.typekit.net https://p.typekit.net; " +
	"img-src 'self' data: blob: https://cdn.korimako.site https://images.korimako.site https://www.google-analytics.com https://i.ytimg.com https://i.vimeocdn.com https://*.gravatar.com https://maps.gstatic.com https://maps.googleapis.com; " +
	"font-src 'self' data: https://fonts.gstatic.com https://use.typekit.net https://cdn.korimako.site; " +
	"connect-src 'self' https://api.korimako.site https://plausible.io https://www.google-analytics.com https://region1.google-analytics.com https://api.stripe.com https://cloudflareinsights.com; " +
	"frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com https://js.stripe.com https://hooks.stripe.com https://www.google.com https://challenges.cloudflare.com https://calendly.com; " +
	"media-src 'self' https://cdn.korimako.site https://media.korimako.site; object-src 'none'; base-uri 'self'; form-action 'self' https://forms.korimako.site; frame-ancestors 'self'; upgrade-insecure-requests"

// pageDoc is what the edge worker reads for one published page.
type pageDoc struct {
	Title    string   `json:"title"`
	Path     string   `json:"path"`
	Template string   `json:"template,omitempty"`
	Assets   []string `json:"assets,omitempty"`
}

// pageWriter writes one document per page of the tree.
type pageWriter struct {
	w    *batch.Writer
	site string
	rev  string
}

func (v *pageWriter) Visit(n *sitetree.Node) sitetree.Visitor {
	if n == nil {
		return nil
	}
	if n.Kind == sitetree.KindPage {
		doc := pageDoc{Title: n.Title, Path: n.Path()}
		for _, c := range n.Children {
			if c.Kind == sitetree.KindAsset {
				doc.Assets = append(doc.Assets, c.Slug)
			}
		}
		if len(n.Args) > 1 {
			doc.Template = n.Args[1]
		}
		v.w.PutJSON(pageKey(v.site, v.rev, n.Path()), doc, 0)
	}
	return v
}

type navItem struct {
	Title string `json:"title"`
	Path  string `json:"path"`
	Depth int    `json:"depth"`
}

// navWriter keeps the navigation menu in step with the tree it walks.
type navWriter struct {
	w     *batch.Writer
	site  string
	depth int
	items *[]navItem
}

func (v *navWriter) Visit(n *sitetree.Node) sitetree.Visitor {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case sitetree.KindSection, sitetree.KindPage:
		*v.items = append(*v.items, navItem{Title: n.Title, Path: n.Path(), Depth: v.depth})
		v.w.PutJSON(navKey(v.site), *v.items, 0) // EXPECT kvhotkey
		return &navWriter{w: v.w, site: v.site, depth: v.depth + 1, items: v.items}
	case sitetree.KindSite:
		return v
	}
	return nil
}

// assetCollector gathers every asset of the tree; the manifest is written
// once the walk is over.
type assetCollector struct {
	assets map[string]string // path -> content hash
}

func (v *assetCollector) Visit(n *sitetree.Node) sitetree.Visitor {
	if n == nil {
		return nil
	}
	if n.Kind == sitetree.KindAsset {
		hash := ""
		if len(n.Args) > 0 {
			hash = n.Args[0]
		}
		v.assets[n.Slug] = hash
	}
	return v
}

type manifestMeta struct {
	Rev     string `json:"rev"`
	Count   int    `json:"count"`
	Built   int64  `json:"built"`
	Headers struct {
		CSP string `json:"csp"`
	} `json:"headers"`
}

func writeManifest(w *batch.Writer, site, rev string, assets map[string]string) {
	var body strings.Builder
	for p, h := range assets {
		body.WriteString(p)
		body.WriteByte('\t')
		body.WriteString(h)
		body.WriteByte('\n')
	}
	meta := manifestMeta{Rev: rev, Count: len(assets), Built: time.Now().Unix()}
	meta.Headers.CSP = defaultCSP
	w.PutMeta(manifestKey(site, rev), body.String(), meta) // EXPECT kvlimits
}

// redirectCollector queues every redirect of the tree into a bulk write.
type redirectCollector struct {
	bw   *batch.BulkWriter
	site string
}

func (v *redirectCollector) Visit(n *sitetree.Node) sitetree.Visitor {
	if n == nil {
		return nil
	}
	if n.Kind == sitetree.KindRedirect && len(n.Args) > 0 {
		code := 301
		if len(n.Args) > 1 {
			if c, err := strconv.Atoi(n.Args[1]); err == nil {
				code = c
			}
		}
		v.bw.Put(redirectKey(v.site, n.Slug), n.Args[0]+" "+strconv.Itoa(code), 0)
	}
	return v
}
