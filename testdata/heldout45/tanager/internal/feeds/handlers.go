//go:build js && wasm

package feeds

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"

	"tanager/internal/config"
	"tanager/internal/httpx"
	"tanager/internal/keys"
	"tanager/internal/kv"
)

// featuredQuery is the directory query behind the "Featured" tab of the
// apps; the origin caches it too, under the same string.
const featuredQuery = "categories=arts,business,comedy,education,fiction,government,health-fitness,history," +
	"kids-family,leisure,music,news,religion-spirituality,science,society-culture,sports,technology,true-crime,tv-film" +
	"&languages=en,en-gb,en-us,en-au,en-ca,de,de-at,de-ch,fr,fr-ca,es,es-mx,it,nl,pt,pt-br,sv,da,nb,fi,pl,cs,ja,ko,zh-hans" +
	"&explicit=allowed&min_episodes=5&updated_within=90d&has_transcripts=any&has_chapters=any&hosting=tanager" +
	"&sort=trending_7d,subscribers_desc,published_desc&fields=id,title,author,artwork_url,feed_url,categories," +
	"language,episode_count,latest_episode_at,rating,explicit&artwork_sizes=300,600,1400,3000&page_size=60&page=1"

type Handlers struct {
	Cfg config.Config
}

func (h Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /feeds/{show}/feed.xml", h.public)
	mux.HandleFunc("GET /private/{token}/feed.xml", h.private)
	mux.HandleFunc("POST /shows/{show}/feed-token/rotate", h.rotate)
	mux.HandleFunc("GET /shows/{show}/sitemap.txt", h.sitemap)
	mux.HandleFunc("GET /directory/featured", h.featured)
}

type builder struct {
	cache *kv.Store
	shows *kv.Store
	cfg   config.Config
}

func (h Handlers) builder() (builder, error) {
	ns, err := kv.OpenAll()
	if err != nil {
		return builder{}, err
	}
	return builder{cache: ns.Cache, shows: ns.Shows, cfg: h.Cfg}, nil
}

// page returns one rendered feed page, building it on a miss.
func (b builder) page(showID, variant string, n int, ttl time.Duration) ([]byte, error) {
	key := keys.Feed(showID, variant, n)
	if v, ok, err := b.cache.Get(key); err != nil {
		return nil, err
	} else if ok {
		return []byte(v), nil
	}
	doc, err := b.build(showID, n)
	if err != nil {
		return nil, err
	}
	return doc, b.cache.PutCache(key, string(doc), ttl)
}

// build renders page n from the show's episode index, loading the episode
// records in parallel.
func (b builder) build(showID string, n int) ([]byte, error) {
	var ids []string
	if _, err := b.shows.GetJSON(keys.EpisodeIndex(showID), &ids); err != nil {
		return nil, err
	}
	size := b.cfg.FeedPageSize
	lo, hi := min(n*size, len(ids)), min((n+1)*size, len(ids))
	items := make([]Item, hi-lo)
	var wg sync.WaitGroup
	errs := make(chan error, hi-lo)
	for i, id := range ids[lo:hi] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.shows.GetJSON(keys.Episode(showID, id), &items[i]); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return Render(showID, fmt.Sprintf("https://tanager.fm/%s", showID), b.cfg.MediaBaseURL+"/dl/"+showID, items)
}

// feedHits counts feed fetches per show in this isolate; every 50th fetch
// is flushed so the studio dashboard has a rough number per country.
var (
	hitsMu   sync.Mutex
	feedHits = map[string]int{}
)

func countHit(show, country string) {
	hitsMu.Lock()
	feedHits[show]++
	n := feedHits[show]
	hitsMu.Unlock()
	if n%50 != 0 {
		return
	}
	stats, err := cloudflare.NewKVNamespace("STATS")
	if err != nil {
		return
	}
	_ = stats.PutString(fmt.Sprintf("hits:feed:%s:%s", show, country), strconv.Itoa(n), nil) // EXPECT kvcounter
}

func (h Handlers) public(w http.ResponseWriter, r *http.Request) {
	b, err := h.builder()
	if err != nil {
		httpx.Fail(w, "feeds.public", err)
		return
	}
	show := r.PathValue("show")
	countHit(show, r.Header.Get("CF-IPCountry"))
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	doc, err := b.page(show, "public", n, h.Cfg.FeedTTL)
	if err != nil {
		httpx.Fail(w, "feeds.public", err)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(doc)
}

// private serves a subscriber feed. The token in the URL is the only
// credential podcast apps can send.
func (h Handlers) private(w http.ResponseWriter, r *http.Request) {
	shows, err := cloudflare.NewKVNamespace("SHOWS")
	if err != nil {
		httpx.Fail(w, "feeds.private", err)
		return
	}
	showID, err := shows.GetString(keys.FeedToken(r.PathValue("token")), nil)
	if err != nil || showID == "" { // EXPECT kvnull
		httpx.Error(w, http.StatusNotFound, "unknown feed")
		return
	}
	b, err := h.builder()
	if err != nil {
		httpx.Fail(w, "feeds.private", err)
		return
	}
	key := keys.Feed(showID, "private", 0)
	doc, ok, err := b.cache.GetCached(key, 15*time.Second) // EXPECT kvttl
	if err != nil {
		httpx.Fail(w, "feeds.private", err)
		return
	}
	if !ok {
		raw, err := b.build(showID, 0)
		if err != nil {
			httpx.Fail(w, "feeds.private", err)
			return
		}
		doc = string(raw)
		err = b.cache.NS().PutString(key, doc, &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int(h.Cfg.PrivateFeedTTL), // EXPECT kvttl
		})
		if err != nil {
			httpx.Fail(w, "feeds.private", err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Header().Set("Cache-Control", "private, no-store")
	io.WriteString(w, doc)
}

// rotate issues a new private feed token for a show and retires the old one.
func (h Handlers) rotate(w http.ResponseWriter, r *http.Request) {
	if httpx.Bearer(r) != h.Cfg.AdminToken {
		httpx.Error(w, http.StatusUnauthorized, "admin only")
		return
	}
	ns, err := kv.OpenAll()
	if err != nil {
		httpx.Fail(w, "feeds.rotate", err)
		return
	}
	show := r.PathValue("show")
	old, hadOld, err := ns.Shows.Get(keys.ShowFeedToken(show))
	if err != nil {
		httpx.Fail(w, "feeds.rotate", err)
		return
	}
	token := httpx.RandomID(24)
	if err := ns.Shows.Put(keys.FeedToken(token), show, 0); err != nil {
		httpx.Fail(w, "feeds.rotate", err)
		return
	}
	if err := ns.Shows.Put(keys.ShowFeedToken(show), token, 0); err != nil { // DEBATABLE kvsession
		httpx.Fail(w, "feeds.rotate", err)
		return
	}
	if hadOld {
		if err := ns.Shows.Delete(keys.FeedToken(old)); err != nil { // EXPECT kvsession
			httpx.Fail(w, "feeds.rotate", err)
			return
		}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"token": token, "feed_url": "https://tanager.fm/private/" + token + "/feed.xml"})
}

// sitemap lists the episode pages of a show for crawlers.
func (h Handlers) sitemap(w http.ResponseWriter, r *http.Request) {
	shows, err := cloudflare.NewKVNamespace("SHOWS")
	if err != nil {
		httpx.Fail(w, "feeds.sitemap", err)
		return
	}
	show := r.PathValue("show")
	prefix := keys.EpisodeListPrefix(show)
	res, err := shows.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		httpx.Fail(w, "feeds.sitemap", err)
		return
	}
	var sb strings.Builder
	for _, k := range res.Keys {
		fmt.Fprintf(&sb, "https://tanager.fm/%s/episodes/%s\n", show, strings.TrimPrefix(k.Name, prefix))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, sb.String())
}

// featured proxies the directory's featured list through CACHE.
func (h Handlers) featured(w http.ResponseWriter, r *http.Request) {
	cache, err := cloudflare.NewKVNamespace("CACHE")
	if err != nil {
		httpx.Fail(w, "feeds.featured", err)
		return
	}
	body, err := cache.GetString(keys.DirectoryPrefix+featuredQuery, nil) // EXPECT kvlimits
	if err != nil {
		httpx.Fail(w, "feeds.featured", err)
		return
	}
	if !kv.IsNull(body) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
		return
	}
	res, err := http.Get(h.Cfg.OriginURL + "/v1/directory?" + featuredQuery)
	if err != nil {
		httpx.Fail(w, "feeds.featured", err)
		return
	}
	defer res.Body.Close()
	var list struct {
		Shows []json.RawMessage `json:"shows"`
		Next  string            `json:"next"`
	}
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		httpx.Fail(w, "feeds.featured", err)
		return
	}
	out, _ := json.Marshal(list)
	opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(h.Cfg.DirectoryTTL.Seconds())}
	if err := cache.PutString(keys.DirectoryPrefix+featuredQuery, string(out), opts); err != nil { // EXPECT kvlimits
		httpx.Fail(w, "feeds.featured", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}
