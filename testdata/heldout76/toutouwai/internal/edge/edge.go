//go:build js && wasm

// Package edge is the Cloudflare Worker in front of the booking site. It
// answers the polled availability fragments and static pages from KV and
// passes everything else to the origin.
package edge

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

// Binding is the KV namespace binding in wrangler.toml.
const Binding = "BOOKING_KV"

// Origin is the booking service behind the worker.
var Origin = "https://origin.toutouwai.example"

// negativeCacheFor keeps "no such page" answers so bots do not hammer KV.
const negativeCacheFor = 5 * time.Minute

// bookingsPerMinute is how many booking posts one address may make a minute.
const bookingsPerMinute = 10

func kvns() (*cloudflare.KVNamespace, error) { return cloudflare.NewKVNamespace(Binding) }

// Handler returns the worker's routes.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /e/avail/{date}/{id}", availability)
	mux.HandleFunc("GET /e/flash", flashes)
	mux.HandleFunc("GET /e/holds/{date}", holds)
	mux.HandleFunc("POST /e/book/{date}/{id}", limitBookings(proxy))
	mux.HandleFunc("POST /e/logout", logout)
	mux.HandleFunc("GET /p/{path...}", page)
	mux.HandleFunc("GET /sitemap.txt", sitemap)
	mux.HandleFunc("/", proxy)
	return mux
}

func proxy(w http.ResponseWriter, r *http.Request) {
	req, err := fetch.NewRequest(r.Context(), r.Method, Origin+r.URL.RequestURI(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		http.Error(w, "origin unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func fetchOrigin(r *http.Request, path string) (string, int, error) {
	req, err := fetch.NewRequest(r.Context(), http.MethodGet, Origin+path, nil)
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("HX-Request", "true")
	resp, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode, err
}

// availability answers the fragment every open day page polls every two
// seconds, from KV when it can.
func availability(w http.ResponseWriter, r *http.Request) {
	kv, err := kvns()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	date, id := r.PathValue("date"), r.PathValue("id")
	key := "avail:" + date + ":" + id
	frag, err := kv.GetString(key, &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "", http.StatusBadGateway)
		return
	}
	if frag == "" { // EXPECT kvnull
		body, status, err := fetchOrigin(r, "/book/"+date+"/"+id+"/availability")
		if err != nil || status != http.StatusOK {
			http.Error(w, "", http.StatusBadGateway)
			return
		}
		frag = body
		if err := kv.PutString(key, frag, &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: 30, // EXPECT kvttl
		}); err != nil {
			log.Printf("cache %s: %v", key, err)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, frag)
}

type flashMessage struct {
	Kind string `json:"k"`
	Text string `json:"t"`
}

// flashes shows pending flash messages without consuming them; the origin
// pops them on the next full page.
func flashes(w http.ResponseWriter, r *http.Request) {
	kv, err := kvns()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	c, err := r.Cookie("tw_sid")
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	raw, err := kv.GetString("flash:"+c.Value, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "", http.StatusBadGateway)
		return
	}
	var msgs []flashMessage
	json.Unmarshal([]byte(raw), &msgs)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	for _, m := range msgs {
		fmt.Fprintf(w, `<div class="flash flash-%s">%s</div>`, m.Kind, htmlEscape(m.Text))
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// holds shows staff which slots of a day are being booked right now.
func holds(w http.ResponseWriter, r *http.Request) {
	kv, err := kvns()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	date := r.PathValue("date")
	res, err := kv.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
		Prefix: "hold:" + date + ":",
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, "", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<p>%d slots on hold</p><ul>`, len(res.Keys))
	for _, k := range res.Keys {
		fmt.Fprintf(w, `<li>%s</li>`, htmlEscape(strings.TrimPrefix(k.Name, "hold:"+date+":")))
	}
	io.WriteString(w, `</ul>`)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}

// limitBookings refuses addresses that post too many bookings a minute.
func limitBookings(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		kv, err := kvns()
		if err != nil {
			next(w, r)
			return
		}
		key := fmt.Sprintf("ratelimit:book:%s:%d", clientIP(r), time.Now().Unix()/60)
		n := 0
		if v, err := kv.GetString(key, nil); err == nil && v != "<null>" {
			n, _ = strconv.Atoi(v)
		}
		if n >= bookingsPerMinute {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "Too many bookings, slow down.", http.StatusTooManyRequests)
			return
		}
		if err := kv.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}); err != nil { // EXPECT kvcounter|kvrace
			log.Printf("rate limit %s: %v", key, err)
		}
		next(w, r)
	}
}

// logout clears the session at the edge before the origin sees the request.
func logout(w http.ResponseWriter, r *http.Request) {
	kv, err := kvns()
	if err != nil {
		proxy(w, r)
		return
	}
	if c, err := r.Cookie("tw_sid"); err == nil && c.Value != "" {
		if err := kv.Delete("sess:" + c.Value); err != nil { // EXPECT kvsession
			log.Printf("logout: %v", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "tw_sid", Value: "", Path: "/", MaxAge: -1})
	w.Header().Set("HX-Redirect", "/")
	w.WriteHeader(http.StatusNoContent)
}
