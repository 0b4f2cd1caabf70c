//go:build js && wasm

// Package edge is the Worker half of karearea. It serves fragments and
// session checks at the edge from the same KV namespace the origin proxy
// writes, using the keys of internal/fragcache and internal/phpsession.
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
)

// null is what GetString returns for a key that does not exist.
const null = "<null>"

// consentLifetime is how long a visitor's cookie-banner choice is kept.
const consentLifetime = 180 * 24 * time.Hour

// Edge holds the namespace binding.
type Edge struct {
	KV      *cloudflare.KVNamespace
	BuildID string
}

// New binds the KAREAREA namespace.
func New(buildID string) (*Edge, error) {
	ns, err := cloudflare.NewKVNamespace("KAREAREA")
	if err != nil {
		return nil, err
	}
	return &Edge{KV: ns, BuildID: buildID}, nil
}

// Handler returns the Worker's routes.
func (e *Edge) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /f/{group}/{name}", e.fragment)
	mux.HandleFunc("GET /banner", e.banner)
	mux.HandleFunc("GET /account", e.account)
	mux.HandleFunc("POST /logout", e.logout)
	mux.HandleFunc("POST /consent", e.consent)
	mux.HandleFunc("GET /geo", e.geo)
	mux.HandleFunc("POST /edge/purge/{group}", e.purge)
	mux.HandleFunc("GET /edge/keys", e.keys)
	mux.HandleFunc("GET /edge/sessions", e.sessionCount)
	return e.withRequestAccounting(mux)
}

// withRequestAccounting throttles clients per IP and records page views.
func (e *Edge) withRequestAccounting(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := r.Header.Get("CF-Connecting-IP")
		bucket := "rl:" + ip + ":" + strconv.FormatInt(time.Now().Unix()/60, 10)
		n := 0
		if v, err := e.KV.GetString(bucket, nil); err == nil && v != null {
			n, _ = strconv.Atoi(v)
		}
		if n >= 600 {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		e.KV.PutString(bucket, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
		e.KV.PutString("edge:build", e.BuildID, nil)                                                     // EXPECT kvhotkey
		next.ServeHTTP(w, r)
	})
}

func (e *Edge) fragment(w http.ResponseWriter, r *http.Request) {
	group, name := r.PathValue("group"), r.PathValue("name")
	raw, err := e.KV.GetString("fragver:"+group, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	ver, _ := strconv.Atoi(raw)
	key := fmt.Sprintf("frag:%s:v%d:%s", group, ver, name)
	html, err := e.KV.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if html == "" { // EXPECT kvnull
		http.Error(w, "not cached", http.StatusNotFound)
		return
	}
	views := "views:" + group
	count := 0
	if v, err := e.KV.GetString(views, nil); err == nil && v != null {
		count, _ = strconv.Atoi(v)
	}
	e.KV.PutString(views, strconv.Itoa(count+1), nil) // EXPECT kvcounter|kvrace
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, html)
}

func (e *Edge) banner(w http.ResponseWriter, r *http.Request) {
	text, err := e.KV.GetString("banner:text", &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil || text == null {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	io.WriteString(w, text)
}

func sessionID(r *http.Request) string {
	c, err := r.Cookie("PHPSESSID")
	if err != nil {
		return ""
	}
	return c.Value
}

func (e *Edge) account(w http.ResponseWriter, r *http.Request) {
	sid := sessionID(r)
	if sid == "" {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	data, err := e.KV.GetString("sess_"+sid, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if data != "" { // EXPECT kvnull
		w.Header().Set("Cache-Control", "private, no-store")
		io.WriteString(w, `<a href="/account/orders">Your orders</a>`)
		return
	}
	http.Redirect(w, r, "/login", http.StatusFound)
}

func (e *Edge) logout(w http.ResponseWriter, r *http.Request) {
	if sid := sessionID(r); sid != "" {
		if err := e.KV.Delete("sess_" + sid); err != nil { // EXPECT kvsession
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (e *Edge) consent(w http.ResponseWriter, r *http.Request) {
	visitor := r.Header.Get("X-Visitor-ID")
	choice := r.FormValue("choice")
	if visitor == "" || (choice != "all" && choice != "essential") {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	err := e.KV.PutString("consent:"+visitor, choice, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(consentLifetime), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// geo caches the country lookup of the origin's GeoIP service per IP.
func (e *Edge) geo(w http.ResponseWriter, r *http.Request) {
	ip := r.Header.Get("CF-Connecting-IP")
	if v, err := e.KV.GetString("geo:"+ip, nil); err == nil && v != null {
		io.WriteString(w, v)
		return
	}
	country := r.Header.Get("CF-IPCountry")
	opts := &cloudflare.KVNamespacePutOptions{}
	opts.ExpirationTTL = 30
	e.KV.PutString("geo:"+ip, country, opts) // EXPECT kvttl
	io.WriteString(w, country)
}

type purgeEntry struct {
	At     int64  `json:"at"`
	Reason string `json:"reason"`
}

// purge records why a group was purged; the origin bumps the version.
func (e *Edge) purge(w http.ResponseWriter, r *http.Request) {
	key := "purgelog:" + r.PathValue("group")
	var log []purgeEntry
	if v, err := e.KV.GetString(key, nil); err == nil && v != null {
		json.Unmarshal([]byte(v), &log)
	}
	log = append(log, purgeEntry{At: time.Now().Unix(), Reason: r.FormValue("reason")})
	body, _ := json.Marshal(log)
	if err := e.KV.PutString(key, string(body), nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// keys lists keys under a prefix for the admin console, ten pages at most.
func (e *Edge) keys(w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("prefix")
	var names []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000}
	for page := 0; page < 10; page++ {
		res, err := e.KV.List(opts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, strings.Join(names, "\n"))
}

// sessionCount reports how many sessions and fragments the namespace holds.
func (e *Edge) sessionCount(w http.ResponseWriter, r *http.Request) {
	sessions, cursor := 0, ""
	for {
		res, err := e.KV.List(&cloudflare.KVNamespaceListOptions{Prefix: "sess_", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		sessions += len(res.Keys)
		cursor = res.Cursor
	}
	frags, err := e.KV.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
		Prefix: "frag:",
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintf(w, "sessions=%d fragments=%d\n", sessions, len(frags.Keys))
}

// RefreshRates copies the currency table from the origin into KV. It runs
// from the Worker's cron trigger every 15 minutes.
func (e *Edge) RefreshRates(client *http.Client, origin string) error {
	res, err := client.Get(origin + "/rates.json")
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK || !json.Valid(body) {
		return fmt.Errorf("edge: rates: status %d", res.StatusCode)
	}
	return e.KV.PutString("config:rates", string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 2 * 60 * 60})
}

// AuditPurgeLogs counts purge logs that have grown past keep entries, for
// the daily report.
func (e *Edge) AuditPurgeLogs(keep int) (int, error) {
	long := 0
	res, err := e.KV.List(&cloudflare.KVNamespaceListOptions{Prefix: "purgelog:", Limit: 100})
	for page := 0; page < 50 && err == nil; page++ {
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				long++
			}
		}
		if res.ListComplete {
			return long, nil
		}
		res, err = e.KV.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 100}) // EXPECT kvlist
	}
	return long, err
}
