//go:build js && wasm

// Command edge is the Worker that serves tracking pixels, unsubscribe links
// and the preference center at the edge, consumes the bounce queue, and
// runs the nightly digest cron.
package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/postmarkly/kaka/internal/edge"
	"github.com/postmarkly/kaka/internal/service"
)

const null = "<null>" // how a missing key comes back from GetString

type app struct {
	links    *cloudflare.KVNamespace // LINKS: unsubscribe tokens, sessions
	tracking *cloudflare.KVNamespace // TRACKING: opens, previews
	supp     *cloudflare.KVNamespace // SUPPRESSIONS
	config   *cloudflare.KVNamespace // CONFIG
}

func mustNS(name string) *cloudflare.KVNamespace {
	ns, err := cloudflare.NewKVNamespace(name)
	if err != nil {
		panic(fmt.Sprintf("binding %s: %v", name, err))
	}
	return ns
}

func main() {
	env := service.NewEnvironment()
	if err := edge.Register(env); err != nil {
		log.Fatal(err)
	}
	a := &app{links: mustNS("LINKS"), tracking: mustNS("TRACKING"), supp: mustNS("SUPPRESSIONS"), config: mustNS("CONFIG")}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /u/{token}", a.unsubscribe)
	mux.HandleFunc("GET /o/{id}", a.open)
	mux.HandleFunc("POST /prefs/login", a.login)
	mux.HandleFunc("GET /prefs", a.prefs)
	mux.HandleFunc("POST /prefs/logout", a.logout)
	mux.HandleFunc("GET /preview/{id}", a.preview)
	mux.HandleFunc("GET /banner", a.banner)
	mux.HandleFunc("GET /healthz", a.health)
	mux.HandleFunc("GET /admin/suppressed", a.suppressed)

	queues.ConsumeNonBlock(a.consumeBounces)
	cron.ScheduleTaskNonBlock(a.nightly)
	workers.Serve(mux)
}

func (a *app) unsubscribe(w http.ResponseWriter, r *http.Request) {
	key := "unsub:" + r.PathValue("token")
	v, err := a.links.GetString(key, nil)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if v == null {
		http.Error(w, "this link has expired", http.StatusNotFound)
		return
	}
	var tok struct {
		Recipient string `json:"recipient"`
		ListID    string `json:"list_id"`
	}
	if err := json.Unmarshal([]byte(v), &tok); err != nil {
		http.Error(w, "bad token", http.StatusBadRequest)
		return
	}
	if err := a.supp.PutString("suppress:"+strings.ToLower(tok.Recipient), "unsubscribe:"+tok.ListID, nil); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	_ = a.links.Delete(key) // EXPECT kvsession
	fmt.Fprintln(w, "You have been unsubscribed.")
}

var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

func (a *app) open(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSuffix(r.PathValue("id"), ".gif")
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(pixel)

	v, err := a.tracking.GetString("opens:"+id, nil) // EXPECT kvnull
	if err != nil {
		return
	}
	n, _ := strconv.Atoi(v)
	_ = a.tracking.PutString("opens:"+id, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
	_ = a.tracking.PutString("opens:last", id, nil)               // EXPECT kvhotkey
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	limitKey := "login-attempts:" + clientIP(r)
	attempts := 0
	if v, err := a.links.GetString(limitKey, nil); err == nil && v != null {
		attempts, _ = strconv.Atoi(v)
	}
	if attempts >= 10 {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	_ = a.links.PutString(limitKey, strconv.Itoa(attempts+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900}) // EXPECT kvcounter|kvrace

	recipient := r.FormValue("email")
	if recipient == "" {
		http.Error(w, "email required", http.StatusBadRequest)
		return
	}
	id := rand.Text()
	body, _ := json.Marshal(map[string]any{"recipient": recipient, "created": time.Now().Unix()})
	if err := a.links.PutString("sess:"+id, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600}); err != nil { // DEBATABLE kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "pc_sess", Value: id, Path: "/prefs", HttpOnly: true, Secure: true, MaxAge: 3600})
	http.Redirect(w, r, "/prefs", http.StatusSeeOther)
}

func (a *app) prefs(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("pc_sess")
	if err != nil {
		http.Redirect(w, r, "/prefs/login", http.StatusSeeOther)
		return
	}
	v, err := a.links.GetString("sess:"+c.Value, &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil || v == null {
		http.Redirect(w, r, "/prefs/login", http.StatusSeeOther)
		return
	}
	var sess map[string]any
	if err := json.Unmarshal([]byte(v), &sess); err != nil {
		http.Error(w, "bad session", http.StatusBadRequest)
		return
	}
	sess["seen"] = time.Now().Unix()
	body, _ := json.Marshal(sess)
	_ = a.links.PutString("sess:"+c.Value, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600}) // EXPECT kvsession
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("pc_sess"); err == nil {
		_ = a.links.Delete("sess:" + c.Value) // EXPECT kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: "pc_sess", Path: "/prefs", MaxAge: -1})
	http.Redirect(w, r, "/prefs/login", http.StatusSeeOther)
}

// preview renders a template preview; editors hit refresh a lot, so the
// rendering is cached briefly.
func (a *app) preview(w http.ResponseWriter, r *http.Request) {
	key := "preview:" + r.PathValue("id")
	if v, err := a.tracking.GetString(key, nil); err == nil && v != null {
		w.Write([]byte(v))
		return
	}
	html, err := renderPreview(r.Context(), r.PathValue("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = a.tracking.PutString(key, html, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 30}) // EXPECT kvttl
	w.Write([]byte(html))
}

func (a *app) banner(w http.ResponseWriter, r *http.Request) {
	v, err := a.config.GetString("config:banner", &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil || v == null {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	fmt.Fprint(w, v)
}

func (a *app) health(w http.ResponseWriter, r *http.Request) {
	if err := a.config.PutString("health:probe", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		http.Error(w, "kv write failed", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}

func (a *app) suppressed(w http.ResponseWriter, r *http.Request) {
	opts := &cloudflare.KVNamespaceListOptions{
		Prefix: "suppress:",
		Limit:  5000, // EXPECT kvlimits
	}
	enc := json.NewEncoder(w)
	for {
		res, err := a.supp.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			return
		}
		for _, k := range res.Keys {
			_ = enc.Encode(map[string]any{"address": strings.TrimPrefix(k.Name, "suppress:"), "expires": k.Expiration})
		}
		opts.Cursor = res.Cursor
	}
}
