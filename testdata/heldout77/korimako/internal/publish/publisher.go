// Package publish turns a site outline into the KV documents the edge worker
// serves, and keeps the undo history of publishes and rollbacks.
package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/korimako/korimako/internal/batch"
	"github.com/korimako/korimako/internal/kvscript"
	"github.com/korimako/korimako/internal/kvstore"
	"github.com/korimako/korimako/internal/sitetree"
	"github.com/korimako/korimako/internal/undo"
)

// postPublish runs after every successful publish.
var postPublish = strings.Join([]string{
	"# keep the edge in step with the new revision",
	"set   sites/{site}/published_rev {rev}",
	"set   sites/{site}/published_at {now}",
	"incr  sites/{site}/publish_count",
	"del   render/{site}/*",
	"cache sitemaps/{site}/stale 1 30",
	"set   banners/{site}/just-published \"Your site is live\" 45s", // EXPECT kvttl
	"set   sites/{site}/status published 600",
}, "\n")

// Publisher writes sites to the publishing namespace.
type Publisher struct {
	st      *kvstore.Store
	history map[string]*undo.Stack
	log     io.Writer
}

// New returns a Publisher over st.
func New(st *kvstore.Store, log io.Writer) *Publisher {
	return &Publisher{st: st, history: map[string]*undo.Stack{}, log: log}
}

func (p *Publisher) stack(site string) *undo.Stack {
	s, ok := p.history[site]
	if !ok {
		s = undo.NewStack(50, p.st, "journal/"+site)
		p.history[site] = s
	}
	return s
}

// Publish writes every page, the navigation, the asset manifest and the
// redirects of outline as revision rev, then makes rev live.
func (p *Publisher) Publish(ctx context.Context, outline, rev string) error {
	root, err := sitetree.Parse(outline)
	if err != nil {
		return err
	}
	site := root.Slug

	w := batch.NewWriter(ctx, p.st)
	sitetree.Walk(&pageWriter{w: w, site: site, rev: rev}, root)
	var items []navItem
	sitetree.Walk(&navWriter{w: w, site: site, items: &items}, root)
	assets := &assetCollector{assets: map[string]string{}}
	sitetree.Walk(assets, root)
	writeManifest(w, site, rev, assets.assets)
	if err := w.Err(); err != nil {
		return fmt.Errorf("publish %s@%s after %d writes: %w", site, rev, w.Count(), err)
	}

	bw := batch.NewBulkWriter(ctx, p.st, kvstore.MaxBulk)
	sitetree.Walk(&redirectCollector{bw: bw, site: site}, root)
	if err := bw.Close(); err != nil {
		return err
	}

	hist := p.stack(site)
	if err := hist.Run(ctx, &SetLive{St: p.st, Site: site, Rev: rev}); err != nil {
		return err
	}
	if err := hist.Run(ctx, &AppendHistory{St: p.st, Site: site, Rev: rev, Max: 20}); err != nil {
		return err
	}
	return kvscript.New(p.st, p.log).
		Let("site", site).
		Let("rev", rev).
		Let("now", time.Now().UTC().Format(time.RFC3339)).
		Run(ctx, postPublish)
}

// Rollback reverts the last publish of site.
func (p *Publisher) Rollback(ctx context.Context, site string) error {
	hist := p.stack(site)
	// SetLive and AppendHistory were pushed as a pair.
	for range 2 {
		if err := hist.Undo(ctx); err != nil { // DEBATABLE kvhotkey
			return err
		}
	}
	return nil
}

// Restore rebuilds a site's live pointer and history from a saved list of
// revisions, oldest first.
func (p *Publisher) Restore(ctx context.Context, site string, revs []string) error {
	cmds := make([]undo.Command, 0, len(revs))
	for _, rev := range revs {
		cmds = append(cmds, &SetLive{St: p.st, Site: site, Rev: rev})
	}
	return p.stack(site).Replay(ctx, cmds)
}

// PageEdit is a change an editor saved for one page.
type PageEdit struct {
	Path  string
	Title string
	Body  string
}

// SaveEdits writes edited pages straight into the live revision.
func (p *Publisher) SaveEdits(ctx context.Context, site, rev string, edits []PageEdit) error {
	w := batch.NewWriter(ctx, p.st)
	now := time.Now().UTC().Format(time.RFC3339)
	for _, e := range edits {
		w.PutJSON(pageKey(site, rev, e.Path), pageDoc{Title: e.Title, Path: e.Path}, 0)
		w.Del(renderCacheKey(site, e.Path))
		w.Put(updatedKey(site), now, 0) // EXPECT kvhotkey
	}
	return w.Err()
}

// SaveDrafts stores each editor's draft of a page and records when the site
// was last edited.
func (p *Publisher) SaveDrafts(ctx context.Context, site, user string, edits []PageEdit) error {
	w := batch.NewWriter(ctx, p.st)
	for _, e := range edits {
		w.PutJSON(draftKey(site, strings.Trim(e.Path, "/"), user), e, 30*24*time.Hour)
	}
	w.Put(updatedKey(site), time.Now().UTC().Format(time.RFC3339), 0)
	return w.Err()
}

// RenderedPage returns the cached HTML of a page, rendering it on a miss.
func (p *Publisher) RenderedPage(ctx context.Context, site, path string, render func() (string, error)) (string, error) {
	key := renderCacheKey(site, path)
	html, err := p.st.Get(ctx, key)
	if err == nil {
		return html, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	html, err = render()
	if err != nil {
		return "", err
	}
	if err := p.st.PutCached(ctx, key, html, 20*time.Second); err != nil {
		return "", err
	}
	return html, nil
}

// RebuildSitemap lists every page of the live revision and writes the XML
// sitemap the edge serves.
func (p *Publisher) RebuildSitemap(ctx context.Context, site, rev string) error {
	prefix := fmt.Sprintf("pages/%s/%s/", site, rev)
	var urls []string
	cursor := ""
	for {
		keys, next, err := p.st.Page(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range keys {
			raw, err := p.st.GetRaw(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return err
			}
			var doc pageDoc
			if err := json.Unmarshal(raw, &doc); err != nil {
				continue
			}
			urls = append(urls, doc.Path)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, u := range urls {
		fmt.Fprintf(&b, "<url><loc>https://%s.korimako.site%s</loc></url>", site, u)
	}
	b.WriteString("</urlset>")
	return p.st.Put(ctx, sitemapKey(site), b.String(), 0)
}

// maxPrunePages bounds one prune run; the cron job picks up where it stopped.
const maxPrunePages = 20

// PruneRevision deletes the documents of an old revision. It stops after
// maxPrunePages pages and returns the cursor to resume from.
func (p *Publisher) PruneRevision(ctx context.Context, site, rev, cursor string) (string, error) {
	prefix := fmt.Sprintf("pages/%s/%s/", site, rev)
	for range maxPrunePages {
		keys, next, err := p.st.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return cursor, err
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if err := p.st.BulkDelete(ctx, names); err != nil {
			return cursor, err
		}
		if next == "" {
			return "", nil
		}
		cursor = next
	}
	return cursor, nil
}

// Redirects returns the redirect table of a site from the keys' metadata.
func (p *Publisher) Redirects(ctx context.Context, site string) (map[string]string, error) {
	keys, _, err := p.st.Page(ctx, "redirects/"+site+"/", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	table := make(map[string]string, len(keys))
	for _, k := range keys {
		if md, ok := k.Metadata.(map[string]any); ok {
			to, _ := md["to"].(string)
			table[strings.TrimPrefix(k.Name, "redirects/"+site)] = to
		}
	}
	return table, nil
}

// ManifestInfo returns the metadata of a revision's asset manifest without
// downloading the manifest itself.
func (p *Publisher) ManifestInfo(ctx context.Context, site, rev string) (map[string]any, error) {
	md, err := p.st.Metadata(ctx, manifestKey(site, rev))
	if err != nil {
		return nil, err
	}
	info, _ := md.(map[string]any)
	return info, nil
}

// Revisions returns one page of a site's stored manifests and the cursor of
// the next page.
func (p *Publisher) Revisions(ctx context.Context, site, cursor string) ([]string, string, error) {
	keys, next, err := p.st.Page(ctx, "manifests/"+site+"/", cursor, 50)
	if err != nil {
		return nil, "", err
	}
	revs := make([]string, len(keys))
	for i, k := range keys {
		revs[i] = strings.TrimPrefix(k.Name, "manifests/"+site+"/")
	}
	return revs, next, nil
}
