//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/korimako/korimako/internal/sitetree"
)

const maxCronPages = 10

// Nightly is the scheduled task: it refreshes the search index, warms the
// render cache of every site that changed, and drops stale drafts.
func (e *Edge) Nightly(ctx context.Context) error {
	var errs []error
	sites, err := e.changedSites()
	if err != nil {
		return err
	}
	for _, site := range sites {
		errs = append(errs, e.warm(site), e.indexSite(site))
	}
	errs = append(errs, e.dropStaleDrafts(), e.rebuildRedirectIndex(), e.setBanner())
	if err := e.pages.PutString("cron/last-run", time.Now().UTC().Format(time.RFC3339), nil); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// changedSites lists sites whose live pointer has metadata newer than a day,
// reading at most maxCronPages pages of keys per run.
func (e *Edge) changedSites() ([]string, error) {
	var sites []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "sites/", Limit: 1000}
	for range maxCronPages {
		res, err := e.pages.List(opts)
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			if site, ok := strings.CutSuffix(strings.TrimPrefix(k.Name, "sites/"), "/live"); ok {
				sites = append(sites, site)
			}
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Prefix: "sites/", Limit: 1000, Cursor: res.Cursor}
	}
	return sites, nil
}

// warmVisitor writes a pre-rendered stub of every page of a site.
type warmVisitor struct {
	w    *writer
	site string
	rev  string
}

func (v *warmVisitor) Visit(n *sitetree.Node) sitetree.Visitor {
	if n == nil {
		return nil
	}
	if n.Kind == sitetree.KindPage {
		v.w.put("warm/"+v.site+"/"+v.rev+n.Path(), n.Title, 6*time.Hour)
		v.w.put("warm/"+v.site+"/progress", n.Path(), time.Hour) // EXPECT kvhotkey
	}
	return v
}

func (e *Edge) warm(site string) error {
	outline, err := e.pages.GetString("outlines/"+site, nil)
	if err != nil {
		return err
	}
	if missing(outline) {
		return nil
	}
	root, err := sitetree.Parse(outline)
	if err != nil {
		return fmt.Errorf("outline of %s: %w", site, err)
	}
	rev, err := e.pages.GetString("sites/"+site+"/live", nil)
	if err != nil || missing(rev) {
		return err
	}
	w := &writer{ns: e.pages}
	sitetree.Walk(&warmVisitor{w: w, site: site, rev: rev}, root)
	w.put("warm/"+site+"/done", rev, 30*time.Second) // EXPECT kvttl
	return w.err
}

// indexSite builds the search index of a site from its page documents.
func (e *Edge) indexSite(site string) error {
	rev, err := e.pages.GetString("sites/"+site+"/live", nil)
	if err != nil || missing(rev) {
		return err
	}
	prefix := "pages/" + site + "/" + rev + "/"
	index := map[string]string{}
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000}
	for range maxCronPages {
		res, err := e.pages.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			raw, err := e.pages.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || missing(raw) {
				continue
			}
			var doc pageDoc
			if json.Unmarshal([]byte(raw), &doc) == nil {
				index[doc.Path] = doc.Title
			}
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000, Cursor: res.Cursor}
	}
	b, _ := json.Marshal(index)
	if err := e.pages.PutString("search/"+site, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 2 * 86400}); err != nil {
		return err
	}
	return e.pages.PutString("page-count/"+site, strconv.Itoa(len(index)), nil) // DEBATABLE kvcounter
}

// dropStaleDrafts deletes the drafts of sites that were deleted.
func (e *Edge) dropStaleDrafts() error {
	raw, err := e.pages.GetString("index/deleted-sites", nil)
	if err != nil || missing(raw) {
		return err
	}
	gone := map[string]bool{}
	for _, site := range strings.Fields(raw) {
		gone[site] = true
	}
	w := &writer{ns: e.pages}
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "drafts/", Limit: 1000}
	for {
		res, err := e.pages.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			site, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "drafts/"), "/")
			if gone[site] {
				w.del(k.Name)
			}
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor}
	}
	return w.err
}

// rebuildRedirectIndex writes the list of redirect sources the router checks
// before doing a per-path lookup.
func (e *Edge) rebuildRedirectIndex() error {
	var from []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "redirects/", Limit: 2000} // EXPECT kvlimits
	for {
		res, err := e.pages.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			from = append(from, strings.TrimPrefix(k.Name, "redirects/"))
		}
		opts.Cursor = res.Cursor
	}
	b, _ := json.Marshal(from)
	return e.pages.PutString("index/redirects", string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400})
}

// setBanner shows today's announcement until midnight UTC.
func (e *Edge) setBanner() error {
	text, err := e.pages.GetString("announcements/today", &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil || missing(text) {
		return err
	}
	until := endOfDay(time.Now())
	if time.Until(until) < 2*time.Minute {
		until = until.Add(24 * time.Hour)
	}
	if err := e.pages.PutString("banner/current", text, &cloudflare.KVNamespacePutOptions{Expiration: int(until.Unix())}); err != nil {
		return err
	}
	return e.pages.PutString("banner/archive/"+until.Format("2006-01-02"), text, &cloudflare.KVNamespacePutOptions{
		Expiration: int(until.AddDate(0, 0, 30).UnixMilli()), // EXPECT kvttl
	})
}
