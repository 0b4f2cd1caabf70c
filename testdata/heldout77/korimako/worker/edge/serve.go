//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const (
	liveCacheTTL  = 300
	pageCacheTTL  = 15
	previewTTL    = time.Hour
	csrfLifetime  = 2 * time.Hour
	formRateLimit = 120
)

type pageDoc struct {
	Title    string   `json:"title"`
	Path     string   `json:"path"`
	Template string   `json:"template,omitempty"`
	Assets   []string `json:"assets,omitempty"`
}

type publicSettings struct {
	Title  string `json:"title"`
	Locale string `json:"locale"`
	Theme  string `json:"theme"`
}

var pageTmpl = template.Must(template.New("page").Parse(
	`<!doctype html><html lang="{{.S.Locale}}"><title>{{.P.Title}} · {{.S.Title}}</title>` +
		`<body class="theme-{{.S.Theme}}"><main data-path="{{.P.Path}}"></main></body></html>`))

// Handler returns the worker's HTTP handler.
func (e *Edge) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_preview/{token}", e.servePreview)
	mux.HandleFunc("POST /_preview", e.createPreview)
	mux.HandleFunc("GET /_forms/{form}", e.formPage)
	mux.HandleFunc("POST /_forms/{form}", e.submitForm)
	mux.HandleFunc("GET /", e.servePage)
	return mux
}

func siteOf(r *http.Request) string {
	host, _, _ := strings.Cut(r.Host, ".")
	return host
}

func (e *Edge) servePage(w http.ResponseWriter, r *http.Request) {
	site := siteOf(r)
	if to, code, ok := e.redirect(site, r.URL.Path); ok {
		http.Redirect(w, r, to, code)
		return
	}
	rev, err := e.pages.GetString("sites/"+site+"/live", &cloudflare.KVNamespaceGetOptions{CacheTTL: liveCacheTTL})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if missing(rev) {
		http.NotFound(w, r)
		return
	}
	raw, err := e.pages.GetString("pages/"+site+"/"+rev+r.URL.Path, &cloudflare.KVNamespaceGetOptions{CacheTTL: pageCacheTTL}) // EXPECT kvttl
	if err != nil || missing(raw) {
		http.NotFound(w, r)
		return
	}
	var doc pageDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		http.Error(w, "bad page", http.StatusInternalServerError)
		return
	}
	s, err := e.settings(site)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	e.countView(site, r.URL.Path)
	if err := e.pages.PutString("edge/last-request", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		w.Header().Set("X-Edge-Warn", "status write failed")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, struct {
		S publicSettings
		P pageDoc
	}{s, doc})
}

func (e *Edge) settings(site string) (publicSettings, error) {
	var s publicSettings
	raw, err := e.pages.GetString("public-settings/"+site, &cloudflare.KVNamespaceGetOptions{CacheTTL: 600}) // EXPECT kvnull
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return publicSettings{Title: site, Locale: "en", Theme: "plain"}, nil
	}
	return s, nil
}

func (e *Edge) redirect(site, path string) (string, int, bool) {
	v, err := e.pages.GetString("redirects/"+site+path, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600})
	if err != nil || v == "" { // EXPECT kvnull
		return "", 0, false
	}
	to, codeText, _ := strings.Cut(v, " ")
	code, err := strconv.Atoi(codeText)
	if err != nil {
		code = http.StatusMovedPermanently
	}
	return to, code, true
}

// countView bumps the per-page view counter shown in the dashboard.
func (e *Edge) countView(site, path string) {
	key := "views/" + site + path
	v, err := e.pages.GetString(key, nil)
	if err != nil {
		return
	}
	n := 0
	if !missing(v) {
		n, _ = strconv.Atoi(v)
	}
	_ = e.pages.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (e *Edge) createPreview(w http.ResponseWriter, r *http.Request) {
	ref := r.FormValue("ref")
	if ref == "" {
		http.Error(w, "ref required", http.StatusBadRequest)
		return
	}
	token := newID()
	err := e.auth.PutString("previews/"+token, ref, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(previewTTL), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_, _ = io.WriteString(w, "/_preview/"+token)
}

func (e *Edge) servePreview(w http.ResponseWriter, r *http.Request) {
	ref, err := e.auth.GetString("previews/"+r.PathValue("token"), nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if ref == "null" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	site, rest, _ := strings.Cut(ref, "/")
	page, user, _ := strings.Cut(rest, "/")
	raw, err := e.pages.GetString("drafts/"+site+"/"+page+"/"+user, nil)
	if err != nil || missing(raw) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, raw)
}

func (e *Edge) formPage(w http.ResponseWriter, r *http.Request) {
	sid := visitorID(w, r)
	token := newID()
	err := e.auth.PutString("csrf/"+token, sid, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(csrfLifetime.Seconds())})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, `<form method="post"><input type="hidden" name="csrf" value="`+token+`">`+
		`<textarea name="message"></textarea><button>Send</button></form>`)
}

func visitorID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie("kmk_vid"); err == nil && c.Value != "" {
		return c.Value
	}
	id := newID()
	http.SetCookie(w, &http.Cookie{Name: "kmk_vid", Value: id, Path: "/", HttpOnly: true, Secure: true, MaxAge: 86400 * 30})
	return id
}

type submission struct {
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}

func (e *Edge) submitForm(w http.ResponseWriter, r *http.Request) {
	site, form := siteOf(r), r.PathValue("form")
	sid := visitorID(w, r)

	csrfKey := "csrf/" + r.FormValue("csrf")
	owner, err := e.auth.GetString(csrfKey, nil)
	if err != nil || missing(owner) || owner != sid {
		http.Error(w, "expired form, reload the page", http.StatusForbidden)
		return
	}
	if err := e.auth.Delete(csrfKey); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	ip := r.Header.Get("CF-Connecting-IP")
	limitKey := "ratelimit/forms/" + ip
	if seen, err := e.pages.GetString(limitKey, nil); err == nil && !missing(seen) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	_ = e.pages.PutString(limitKey, "1", &cloudflare.KVNamespacePutOptions{ExpirationTTL: formRateLimit}) // EXPECT kvcounter|kvrace

	key := "forms/" + site + "/" + form
	var subs []submission
	if raw, err := e.pages.GetString(key, nil); err == nil && !missing(raw) {
		_ = json.Unmarshal([]byte(raw), &subs)
	}
	subs = append(subs, submission{At: time.Now().UTC(), Message: r.FormValue("message")})
	b, _ := json.Marshal(subs)
	if err := e.pages.PutString(key, string(b), nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	flash := &cloudflare.KVNamespacePutOptions{Expiration: int(time.Now().Add(30 * time.Second).Unix())} // EXPECT kvttl
	_ = e.auth.PutString("flash/"+sid, "Thanks, your message was sent.", flash)
	http.Redirect(w, r, "/_forms/"+form, http.StatusSeeOther)
}
