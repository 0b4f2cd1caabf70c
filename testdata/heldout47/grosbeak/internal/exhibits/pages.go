//go:build js && wasm

// Package exhibits serves exhibit pages from a KV read-through cache in
// front of the collections CMS.
package exhibits

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"

	"grosbeak/internal/keys"
	"grosbeak/internal/kvstore"
)

// Service renders exhibit pages.
type Service struct {
	Cache  *kvstore.Store
	Origin string
}

var pageKeyTmpl = template.Must(template.New("pagekey").Parse(
	`{{.Prefix}}{{.Slug}}:{{.Lang}}{{if .Preview}}:preview{{end}}`))

type pageKeyArgs struct {
	Prefix  string
	Slug    string
	Lang    string
	Preview bool
}

func pageKey(slug, lang string, preview bool) (string, error) {
	var buf bytes.Buffer
	if err := pageKeyTmpl.Execute(&buf, pageKeyArgs{keys.ExhibitPagePrefix, slug, lang, preview}); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// searchPresetKey caches the default collection search shown on the
// landing page. The key spells out the query so a change to the preset
// never serves an old result.
const searchPresetKey = keys.ExhibitPagePrefix + "search:" +
	"fields=title,subtitle,artist,artist_nationality,artist_birth,artist_death,medium,dimensions,credit_line,accession_number,department,gallery,on_view,image_primary,image_thumbnail,rights,provenance_summary,exhibition_history,bibliography_short,audio_stop,audio_duration,related_objects,tags;" +
	"filters=on_view:true,department:european-paintings|american-wing|asian-art|arms-and-armor|photographs|modern-and-contemporary|greek-and-roman|egyptian-art|musical-instruments|costume-institute;" +
	"sort=popularity:desc,accession_year:asc;lang=en;page=1;per_page=48;facets=department,medium,century,gallery,on_view"

func (s *Service) fetchOrigin(r *http.Request, path string) ([]byte, error) {
	cli := fetch.NewClient()
	req, err := fetch.NewRequest(r.Context(), http.MethodGet, s.Origin+path, nil)
	if err != nil {
		return nil, err
	}
	res, err := cli.Do(req, nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("origin %s: %s", path, res.Status)
	}
	return io.ReadAll(io.LimitReader(res.Body, 4<<20))
}

// Page serves /exhibits/{slug}.
func (s *Service) Page(w http.ResponseWriter, r *http.Request) {
	slug := strings.TrimPrefix(r.URL.Path, "/exhibits/")
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = "en"
	}
	preview := r.URL.Query().Has("preview")
	ns := s.Cache.Namespace()

	key, err := pageKey(slug, lang, preview)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	opts := &kv.GetOptions{CacheTTL: keys.PageEdgeCache}
	if preview {
		opts = nil
	}
	raw, err := ns.GetString(key, opts)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw == "<null>" {
		body, err := s.fetchOrigin(r, "/render/"+slug+"?lang="+lang)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		raw = string(body)
		ttl := keys.PageCacheTTL
		if preview {
			ttl = keys.Minute
		}
		if err := ns.PutString(key, raw, &kv.PutOptions{ExpirationTTL: ttl}); err != nil {
			log.Printf("cache %s: %v", key, err)
		}
	}

	if err := ns.PutString(keys.FeaturedServedKey, slug, nil); err != nil { // EXPECT kvhotkey
		log.Printf("featured: %v", err)
	}

	key = keys.ExhibitViewsPrefix + slug
	raw2, err := ns.GetString(key, nil) // DEBATABLE kvnull
	if err == nil {
		n, _ := strconv.Atoi(raw2)
		_ = ns.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
	}

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, raw)
}

// Search serves the landing page's preset search from cache.
func (s *Service) Search(w http.ResponseWriter, r *http.Request) {
	raw, err := s.Cache.Text(searchPresetKey) // EXPECT kvlimits
	if err != nil {
		body, ferr := s.fetchOrigin(r, "/search/preset")
		if ferr != nil {
			http.Error(w, ferr.Error(), http.StatusBadGateway)
			return
		}
		raw = string(body)
		_ = s.Cache.PutTTL(searchPresetKey, raw, 15*time.Minute) // EXPECT kvlimits
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, raw)
}

// Banner returns the site-wide banner text, or the default.
func (s *Service) Banner(w http.ResponseWriter, r *http.Request) {
	opts := &kv.GetOptions{CacheTTL: keys.BannerEdgeTTL} // EXPECT kvttl
	v, err := s.Cache.Namespace().GetString(keys.BannerKey, opts)
	if err != nil || v == "" { // EXPECT kvnull
		v = "Open daily 10:00-17:30. Members enter free."
	}
	io.WriteString(w, v)
}

// Related records that a visitor moved from one exhibit to another so the
// page can suggest "visitors also saw".
func (s *Service) Related(w http.ResponseWriter, r *http.Request) {
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	if from == "" || to == "" || from == to {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	key := keys.ExhibitRelatedPrefix + from
	var related []string
	err := s.Cache.JSON(key, &related) // EXPECT kvnull
	if err != nil {
		related = nil
	}
	for _, slug := range related {
		if slug == to {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	related = append(related, to)
	if len(related) > 12 {
		related = related[len(related)-12:]
	}
	b, _ := json.Marshal(related)
	if err := s.Cache.Put(key, string(b)); err != nil { // EXPECT kvrace
		log.Printf("related: %v", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// viewBatch accumulates page views in the isolate and flushes them in one
// write per exhibit.
type viewBatch struct {
	mu     sync.Mutex
	counts map[string]int
	flushd map[string]int
}

var views = &viewBatch{counts: map[string]int{}, flushd: map[string]int{}}

func (v *viewBatch) add(slug string) {
	v.mu.Lock()
	v.counts[slug]++
	v.mu.Unlock()
}

// FlushViews writes the isolate's view totals.
func (s *Service) FlushViews(w http.ResponseWriter, r *http.Request) {
	views.mu.Lock()
	defer views.mu.Unlock()
	ns := s.Cache.Namespace()
	for slug, n := range views.counts {
		total := views.flushd[slug] + n
		if err := ns.PutString(keys.ExhibitViewsPrefix+slug, strconv.Itoa(total), nil); err != nil { // EXPECT kvcounter
			log.Printf("views %s: %v", slug, err)
			continue
		}
		views.flushd[slug] = total
		delete(views.counts, slug)
	}
	w.WriteHeader(http.StatusNoContent)
}

// Purge drops every cached render of one exhibit, across languages.
func (s *Service) Purge(w http.ResponseWriter, r *http.Request) {
	slug := r.URL.Query().Get("slug")
	ns := s.Cache.Namespace()
	res, err := ns.List(&kv.ListOptions{
		Prefix: keys.ExhibitPagePrefix + slug + ":",
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for _, k := range res.Keys {
		if err := ns.Delete(k.Name); err != nil {
			log.Printf("purge %s: %v", k.Name, err)
		}
	}
	more := !res.ListComplete
	fmt.Fprintf(w, `{"purged":%d,"more":%t,"cursor":%q}`, len(res.Keys), more, res.Cursor)
}

// Track counts a view in memory.
func Track(slug string) { views.add(slug) }
