//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/samber/lo"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
)

// Worker holds the KV bindings.
type Worker struct {
	feeds  *kv.Namespace
	links  *kv.Namespace
	stats  *kv.Namespace
	origin string
}

// New binds the namespaces declared in wrangler.toml.
func New() (*Worker, error) {
	feeds, err := kv.NewNamespace("FEEDS")
	if err != nil {
		return nil, err
	}
	links, err := kv.NewNamespace("LINKS")
	if err != nil {
		return nil, err
	}
	stats, err := kv.NewNamespace("STATS")
	if err != nil {
		return nil, err
	}
	return &Worker{feeds: feeds, links: links, stats: stats, origin: cloudflare.Getenv("ORIGIN_URL")}, nil
}

// Handler routes edge requests.
func (w *Worker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/feed/", w.serveFeed)
	mux.HandleFunc("/e/", w.serveEpisodePage)
	mux.HandleFunc("/dl/", w.redirect)
	mux.HandleFunc("/embed/", w.embed)
	mux.HandleFunc("/player/", w.playerConfig)
	mux.HandleFunc("/vanity", w.claimVanity)
	mux.HandleFunc("/sitemap.txt", w.sitemap)
	mux.HandleFunc("/shows/", w.showIndex)
	return mux
}

func (w *Worker) httpClient() *http.Client {
	return fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
}

// fetchOrigin fetches path from the origin and works out how long the
// result may be kept.
func (w *Worker) fetchOrigin(r *http.Request, path string) ([]byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, w.origin+path, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := w.httpClient().Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("origin %s: %s", path, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, err
	}
	keep := 5 * time.Minute
	for directive := range strings.SplitSeq(resp.Header.Get("Cache-Control"), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(directive), "max-age="); ok {
			if n, err := strconv.Atoi(v); err == nil {
				keep = time.Duration(n) * time.Second
			}
		}
	}
	if exp, err := http.ParseTime(resp.Header.Get("Expires")); err == nil && resp.Header.Get("Cache-Control") == "" {
		keep = time.Until(exp)
	}
	return body, keep, nil
}

func (w *Worker) serveFeed(rw http.ResponseWriter, r *http.Request) {
	show := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/feed/"), ".xml")
	key := "feed/" + show
	xml, err := w.feeds.GetString(key, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	if xml == "" { // EXPECT kvnull
		body, keep, err := w.fetchOrigin(r, "/internal/feeds/"+show)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		xml = string(body)
		if err := cacheFor(w.feeds, key, xml, keep); err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	io.WriteString(rw, xml)
}

func (w *Worker) serveEpisodePage(rw http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/e/")
	html, err := w.feeds.GetString("page/"+id, &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	if missing(html) {
		body, keep, err := w.fetchOrigin(r, "/internal/pages/"+id)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		html = string(body)
		_ = putFor(w.feeds, "page/"+id, html, max(keep, 2*time.Minute))
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(rw, html)
}

type link struct {
	Episode  string `json:"episode"`
	AudioURL string `json:"audio_url"`
}

func (w *Worker) redirect(rw http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.URL.Path, "/dl/")
	if reason, err := w.links.GetString("revoked/"+token, nil); err == nil && !missing(reason) {
		http.Error(rw, "link revoked", http.StatusGone)
		return
	}
	var l link
	ok, err := getJSON(w.links, "dl/"+token, &l)
	if err != nil || !ok {
		http.Error(rw, "link expired", http.StatusNotFound)
		return
	}

	countKey := "downloads/" + l.Episode
	raw, err := w.stats.GetString(countKey, nil) // EXPECT kvnull
	if err == nil {
		n, _ := strconv.Atoi(raw)
		_ = w.stats.PutString(countKey, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
	}
	_ = w.stats.PutString("edge/last-download", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	http.Redirect(rw, r, l.AudioURL, http.StatusFound)
}

func clientIP(r *http.Request) string {
	return lo.CoalesceOrEmpty(r.Header.Get("CF-Connecting-IP"), r.RemoteAddr)
}

func (w *Worker) embed(rw http.ResponseWriter, r *http.Request) {
	key := "ratelimit/embed/" + clientIP(r)
	n, err := getInt(w.stats, key)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	if n >= 120 {
		rw.Header().Set("Retry-After", "10")
		http.Error(rw, "slow down", http.StatusTooManyRequests)
		return
	}
	opts := &kv.PutOptions{}
	opts.ExpirationTTL = 10                                                 // EXPECT kvttl
	if err := w.stats.PutString(key, strconv.Itoa(n+1), opts); err != nil { // EXPECT kvcounter|kvrace
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	w.serveEpisodePage(rw, r)
}

type playerCfg struct {
	Accent   string `json:"accent"`
	Autoplay bool   `json:"autoplay"`
	Chapters bool   `json:"chapters"`
}

func (w *Worker) playerConfig(rw http.ResponseWriter, r *http.Request) {
	show := strings.TrimPrefix(r.URL.Path, "/player/")
	raw, err := w.feeds.GetString("player/"+show, &kv.GetOptions{CacheTTL: 3600}) // EXPECT kvnull
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	var cfg playerCfg
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		cfg = playerCfg{Accent: "#e8a33d", Chapters: true}
	}
	rw.Header().Set("Content-Type", "application/json")
	json.NewEncoder(rw).Encode(cfg)
}

func (w *Worker) claimVanity(rw http.ResponseWriter, r *http.Request) {
	name := strings.ToLower(r.FormValue("name"))
	show := r.FormValue("show")
	if name == "" || show == "" {
		http.Error(rw, "name and show required", http.StatusBadRequest)
		return
	}
	key := "vanity/" + name
	cur, err := w.feeds.GetString(key, nil)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	if !missing(cur) {
		http.Error(rw, "name taken", http.StatusConflict)
		return
	}
	if err := put(w.feeds, entry{key, show, 0}); err != nil { // EXPECT kvrace
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	rw.WriteHeader(http.StatusCreated)
}

func (w *Worker) sitemap(rw http.ResponseWriter, r *http.Request) {
	res, err := w.feeds.List(&kv.ListOptions{Prefix: "page/", Limit: 1000}) // EXPECT kvlist
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	rw.Header().Set("Content-Type", "text/plain")
	for _, k := range res.Keys {
		fmt.Fprintf(rw, "https://dunnock.fm/e/%s\n", strings.TrimPrefix(k.Name, "page/"))
	}
}

type showPage struct {
	Episodes []string `json:"episodes"`
	Cursor   string   `json:"cursor,omitempty"`
}

func (w *Worker) showIndex(rw http.ResponseWriter, r *http.Request) {
	show := strings.TrimPrefix(r.URL.Path, "/shows/")
	res, err := w.feeds.List(&kv.ListOptions{
		Prefix: "ep/" + show + "/",
		Limit:  5000, // EXPECT kvlimits
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	out := showPage{}
	for _, k := range res.Keys {
		title, err := w.feeds.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || missing(title) {
			continue
		}
		out.Episodes = append(out.Episodes, title)
	}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	rw.Header().Set("Content-Type", "application/json")
	json.NewEncoder(rw).Encode(out)
}

// listenerSession tracks an anonymous listener across plays for
// resume-where-you-left-off.
type listenerSession struct {
	ID       string         `json:"id"`
	Position map[string]int `json:"position"`
	Seen     time.Time      `json:"seen"`
}

const listenerCookie = "dn_listener"

// ResumeMiddleware loads or creates the listener session around next.
func (w *Worker) ResumeMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(listenerCookie)
		if err != nil {
			b := make([]byte, 16)
			rand.Read(b)
			s := listenerSession{ID: hex.EncodeToString(b), Position: map[string]int{}, Seen: time.Now()}
			raw, _ := json.Marshal(s)
			if err := put(w.stats, entry{"lsess/" + s.ID, string(raw), 30 * 86400}); err == nil {
				http.SetCookie(rw, &http.Cookie{Name: listenerCookie, Value: s.ID, Path: "/", MaxAge: 30 * 86400})
			}
			next.ServeHTTP(rw, r)
			return
		}
		var s listenerSession
		if ok, err := getJSON(w.stats, "lsess/"+c.Value, &s); err == nil && ok {
			s.Seen = time.Now()
			if ep, pos := r.URL.Query().Get("ep"), r.URL.Query().Get("t"); ep != "" {
				s.Position[ep], _ = strconv.Atoi(pos)
			}
			raw, _ := json.Marshal(s)
			_ = putFor(w.stats, "lsess/"+s.ID, string(raw), 30*24*time.Hour) // EXPECT kvsession|kvrace
		}
		next.ServeHTTP(rw, r)
	})
}
