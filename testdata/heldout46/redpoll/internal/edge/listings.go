//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/redpoll-jobs/redpoll/internal/codec"
	"github.com/redpoll-jobs/redpoll/internal/keys"
)

const (
	originBase     = "https://origin.redpoll.example"
	rotationKey    = "featured/rotation"
	lastAppliedKey = "stats/last-application"
)

// listing serves /api/listings/{city}/{category}?page=N from the KV cache,
// filling it from the origin on a miss.
func (h *Handler) listing(w http.ResponseWriter, r *http.Request, b bucket, rest string) {
	city, category, ok := strings.Cut(rest, "/")
	if !ok {
		http.Error(w, "want /api/listings/{city}/{category}", http.StatusBadRequest)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	key := keys.Listing(city, category, max(page, 1))

	packed, err := b.ns.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		fail(w, err)
		return
	}
	if packed != nullText {
		body, err := codec.Unpack(packed)
		if err == nil {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Cache", "hit")
			w.Write(body)
			return
		}
	}

	body, err := fetchOrigin(fmt.Sprintf("%s/listings/%s/%s?page=%d", originBase, city, category, max(page, 1)))
	if err != nil {
		fail(w, err)
		return
	}
	if packed, err = codec.Pack(body); err == nil {
		err = b.ns.PutString(key, packed, &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int(h.Cfg.ListingCacheTTL), // EXPECT kvttl
		})
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Cache", "miss")
	w.Write(body)
}

// posting serves a single posting's public JSON.
func (h *Handler) posting(w http.ResponseWriter, r *http.Request, b bucket, id string) {
	v, err := b.ns.GetString("public/"+keys.Posting(id), &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err != nil {
		fail(w, err)
		return
	}
	if v == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}

	var featured []string
	if raw, ok, err := b.text("featured/ids"); err == nil && ok {
		featured = strings.Split(raw, ",")
	}
	if len(featured) > 0 {
		next := featured[int(time.Now().Unix())%len(featured)]
		if err := b.put(rotationKey, next, 0); err != nil { // EXPECT kvhotkey
			fail(w, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, v)
}

// applicationCount returns the number of applications a posting received.
func (h *Handler) applicationCount(w http.ResponseWriter, r *http.Request, b bucket, id string) {
	v, ok, err := b.text(keys.Applications(id))
	if err != nil {
		fail(w, err)
		return
	}
	n := 0
	if ok {
		if n, err = strconv.Atoi(v); err != nil {
			fail(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"applications": n})
}

type application struct {
	Name    string `json:"name"`
	Email   string `json:"email"`
	CVURL   string `json:"cv_url"`
	Message string `json:"message"`
}

// apply records an application and forwards it to the employer's ATS.
func (h *Handler) apply(w http.ResponseWriter, r *http.Request, b bucket, id string) {
	var a application
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&a); err != nil {
		http.Error(w, "bad application", http.StatusBadRequest)
		return
	}
	ip := r.Header.Get("CF-Connecting-IP")
	rlKey := "ratelimit/apply/" + ip
	seen, ok, err := b.text(rlKey)
	if err != nil {
		fail(w, err)
		return
	}
	tries := 0
	if ok {
		tries, _ = strconv.Atoi(seen)
	}
	if tries >= 20 {
		http.Error(w, "too many applications, try again later", http.StatusTooManyRequests)
		return
	}
	if err := b.put(rlKey, strconv.Itoa(tries+1), time.Hour); err != nil { // EXPECT kvcounter|kvrace
		fail(w, err)
		return
	}

	draft, _ := json.Marshal(a)
	if err := b.ns.PutString("apply-draft/"+id+"/"+keys.EmailHash(a.Email), string(draft), &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(2 * time.Hour).UnixMilli()), // EXPECT kvttl
	}); err != nil {
		fail(w, err)
		return
	}

	ckey := keys.Applications(id)
	cur, err := b.ns.GetString(ckey, nil) // EXPECT kvnull
	if err != nil {
		fail(w, err)
		return
	}
	n, _ := strconv.Atoi(cur)
	if err := b.ns.PutString(ckey, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvcounter|kvrace
		fail(w, err)
		return
	}
	if err := b.put(lastAppliedKey, time.Now().UTC().Format(time.RFC3339), 0); err != nil { // EXPECT kvhotkey
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "received"})
}

// fetchOrigin GETs url from the origin API.
func fetchOrigin(url string) ([]byte, error) {
	res, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("origin %s: %s", url, res.Status)
	}
	return io.ReadAll(res.Body)
}
