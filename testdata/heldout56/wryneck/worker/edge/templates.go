//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"wryneck/worker/edgekv"
)

// renderTTL is how long a rendered template stays in the edge cache.
const renderTTL = time.Hour

// Rendered is a template rendered for one campaign and locale.
type Rendered struct {
	Campaign string    `json:"campaign"`
	Locale   string    `json:"locale"`
	HTML     string    `json:"html"`
	Rendered time.Time `json:"rendered"`
}

// templateCache is a read-through cache in front of the renderer service.
type templateCache struct {
	kv       *edgekv.Namespace
	renderer string
}

func (t templateCache) key(campaign, locale string) string {
	return "tpl:" + campaign + ":" + locale
}

func (t templateCache) render(ctx context.Context, campaign, locale string) (*Rendered, error) {
	cli := fetch.NewClient()
	req, err := fetch.NewRequest(ctx, http.MethodGet, fmt.Sprintf("%s/render/%s?locale=%s", t.renderer, campaign, locale), nil)
	if err != nil {
		return nil, err
	}
	resp, err := cli.Do(req, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("renderer: %s", resp.Status)
	}
	html, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Rendered{Campaign: campaign, Locale: locale, HTML: string(html), Rendered: time.Now().UTC()}, nil
}

// Get returns the rendered template, rendering it on a miss.
func (t templateCache) Get(ctx context.Context, campaign, locale string) (*Rendered, error) {
	key := t.key(campaign, locale)
	if raw, ok, err := t.kv.Text(ctx, key, nil); err != nil {
		return nil, err
	} else if ok {
		var r Rendered
		if err := json.Unmarshal([]byte(raw), &r); err == nil {
			return &r, nil
		}
	}
	r, err := t.render(ctx, campaign, locale)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(r)
	if err := t.kv.Put(ctx, key, string(b), renderTTL); err != nil {
		return nil, err
	}
	return r, nil
}

// Warm renders every locale of a campaign ahead of a send.
func (t templateCache) Warm(ctx context.Context, campaign string, locales []string) error {
	for _, loc := range locales {
		r, err := t.render(ctx, campaign, loc)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(r)
		if err := t.kv.Put(ctx, t.key(campaign, loc), string(b), 15*time.Second); err != nil {
			return err
		}
		if err := t.kv.Put(ctx, "tpl:last-warmed", campaign+":"+loc, renderTTL); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// archiveHandler serves rendered issues from the public archive.
type archiveHandler struct {
	cache *cloudflare.KVNamespace
}

func (a archiveHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := a.cache.GetString("archive:"+r.PathValue("issue"), &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw == "<null>" {
		http.NotFound(w, r)
		return
	}
	var issue Rendered
	if err := json.Unmarshal([]byte(raw), &issue); err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	footer, err := a.cache.GetString("tpl:footer:"+legacyFooterURL, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600}) // EXPECT kvlimits
	if err == nil && footer != "<null>" {
		issue.HTML = strings.Replace(issue.HTML, "</body>", footer+"</body>", 1)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(issue.HTML))
}

// previewHandler renders a draft for the campaign editor and keeps the last
// preview so the editor can reopen it.
type previewHandler struct {
	tpl templateCache
	raw *cloudflare.KVNamespace
}

func (p previewHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	campaign := r.PathValue("campaign")
	rendered, err := p.tpl.render(r.Context(), campaign, r.URL.Query().Get("locale"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := p.raw.PutString("preview:"+campaign, rendered.HTML, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(24 * time.Hour)}); err != nil { // EXPECT kvttl
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	recentKey := "preview:recent:" + r.Header.Get("X-Editor-ID")
	recent, _ := p.raw.GetString(recentKey, nil)
	if recent == "<null>" {
		recent = ""
	}
	if !strings.Contains(recent, campaign) {
		_ = p.raw.PutString(recentKey, strings.TrimPrefix(recent+","+campaign, ","), nil) // EXPECT kvrace
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(rendered.HTML))
}

// draftHandler returns the last preview of a campaign.
type draftHandler struct {
	raw *cloudflare.KVNamespace
}

func (d draftHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	html, err := d.raw.GetString("preview:"+r.PathValue("campaign"), &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if html == "<null>" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(html))
}
