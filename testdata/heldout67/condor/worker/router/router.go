//go:build js && wasm

// Package router is the edge router Worker: it resolves a request's host and
// path against the routing state the operator publishes to Workers KV and
// proxies to the upstream, answering redirects and maintenance pages itself.
package router

import (
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/condor-hosting/condor/internal/keys"
)

const (
	// siteCacheTTL lets edge locations cache site records for five minutes;
	// the operator republishes well within that.
	siteCacheTTL = 300
	// routeCacheTTL is the runtime default, spelled out.
	routeCacheTTL = 60
	// redirectCacheTTL keeps campaign redirects responsive to edits.
	redirectCacheTTL = 15
	// nullValue is what GetString yields for a missing key.
	nullValue = "<null>"
)

type siteRecord struct {
	Origin    string `json:"origin"`
	Suspended bool   `json:"suspended,omitempty"`
	Namespace string `json:"ns"`
	Name      string `json:"name"`
}

type routeRecord struct {
	Upstream string            `json:"upstream"`
	Headers  map[string]string `json:"headers,omitempty"`
}

type redirectRecord struct {
	To     string `json:"to"`
	Status int    `json:"status"`
}

type maintenanceRecord struct {
	Window    string   `json:"window"`
	Until     int64    `json:"until"`
	Bypass    []string `json:"bypass,omitempty"`
	BypassKey string   `json:"bypassKey,omitempty"`
	HasPage   bool     `json:"hasPage,omitempty"`
}

type previewRecord struct {
	Upstream  string `json:"upstream"`
	Protected bool   `json:"protected,omitempty"`
	ExpiresAt int64  `json:"exp"`
}

// Router is the Worker's http.Handler.
type Router struct {
	Binding       string
	PreviewDomain string
	AdminToken    string
}

// New reads the Worker's configuration from its environment.
func New() *Router {
	return &Router{
		Binding:       "EDGE",
		PreviewDomain: cloudflare.Getenv("PREVIEW_DOMAIN"),
		AdminToken:    cloudflare.Getenv("ADMIN_TOKEN"),
	}
}

// lookup reads a text value and reports whether the key exists.
func lookup(ns *kv.Namespace, key string, cacheTTL int) (string, bool, error) {
	v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: cacheTTL})
	if err != nil {
		return "", false, err
	}
	if v == nullValue {
		return "", false, nil
	}
	return v, true, nil
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(rt.Binding)
	if err != nil {
		http.Error(w, "edge state unavailable", http.StatusServiceUnavailable)
		return
	}
	host := keys.Normalize(r.Host)

	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/_condor/admin/"):
		rt.serveAdmin(ns, w, r)
		return
	case strings.HasPrefix(p, "/_condor/preview/"):
		rt.servePreviewAuth(ns, w, r, host)
		return
	case strings.HasPrefix(p, "/.well-known/condor-verify/"):
		rt.serveVerify(ns, w, r, host)
		return
	}

	_ = ns.PutString(keys.RouterLastRequest, time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	if deploy := cloudflare.Getenv("DEPLOY_ID"); deploy != "" {
		cloudflare.WaitUntil(func() {
			_ = ns.PutString(keys.RouterDeploySeen, deploy, nil) // EXPECT kvhotkey
		})
	}

	if rt.PreviewDomain != "" && strings.HasSuffix(host, "."+rt.PreviewDomain) {
		rt.servePreview(ns, w, r, host)
		return
	}

	if handled := rt.serveMaintenance(ns, w, r, host); handled {
		return
	}
	if handled := rt.serveRedirect(ns, w, r, host); handled {
		return
	}

	raw, err := ns.GetString(keys.Site(host), &kv.GetOptions{CacheTTL: siteCacheTTL})
	if err != nil {
		http.Error(w, "edge state unavailable", http.StatusServiceUnavailable)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	var site siteRecord
	if err := json.Unmarshal([]byte(raw), &site); err != nil {
		http.Error(w, "bad site record", http.StatusBadGateway)
		return
	}
	if site.Suspended {
		http.Error(w, "site suspended", http.StatusForbidden)
		return
	}

	upstream, headers := site.Origin, map[string]string(nil)
	if rec, ok := rt.matchRoute(ns, host, r.URL.Path); ok {
		upstream, headers = rec.Upstream, rec.Headers
	}

	cloudflare.WaitUntil(func() { countView(ns, host) })
	rt.flushServed(ns, r)
	proxy(w, r, upstream, headers)
}

// served counts proxied requests in this isolate; it is flushed to KV every
// flushEvery requests for the per-colo traffic graph.
var served int

const flushEvery = 100

func (rt *Router) flushServed(ns *kv.Namespace, r *http.Request) {
	served++
	if served%flushEvery != 0 {
		return
	}
	colo := "unknown"
	if ray := r.Header.Get("Cf-Ray"); strings.Contains(ray, "-") {
		colo = ray[strings.LastIndexByte(ray, '-')+1:]
	}
	n := served
	cloudflare.WaitUntil(func() {
		_ = ns.PutString("hits:"+colo, strconv.Itoa(n), nil) // EXPECT kvcounter
	})
}

// matchRoute finds the route with the longest path prefix of p.
func (rt *Router) matchRoute(ns *kv.Namespace, host, p string) (routeRecord, bool) {
	for prefix := path.Clean("/" + p); ; prefix = path.Dir(prefix) {
		v, ok, err := lookup(ns, keys.Route(host, prefix), routeCacheTTL)
		if err == nil && ok {
			var rec routeRecord
			if json.Unmarshal([]byte(v), &rec) == nil {
				return rec, true
			}
		}
		if prefix == "/" {
			return routeRecord{}, false
		}
	}
}

func (rt *Router) serveRedirect(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) bool {
	opts := &kv.GetOptions{CacheTTL: redirectCacheTTL} // EXPECT kvttl
	v, err := ns.GetString(keys.Redirect(host, r.URL.Path), opts)
	if err != nil || v == nullValue {
		return false
	}
	var rec redirectRecord
	if err := json.Unmarshal([]byte(v), &rec); err != nil || rec.To == "" {
		return false
	}
	http.Redirect(w, r, rec.To, cmpOr(rec.Status, http.StatusMovedPermanently))
	return true
}

func (rt *Router) serveMaintenance(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) bool {
	v, ok, err := lookup(ns, keys.Maintenance(host), routeCacheTTL)
	if err != nil || !ok {
		return false
	}
	var rec maintenanceRecord
	if json.Unmarshal([]byte(v), &rec) != nil || time.Now().Unix() >= rec.Until {
		return false
	}
	if len(rec.Bypass) == 0 && rec.BypassKey != "" {
		if list, ok, err := lookup(ns, rec.BypassKey, siteCacheTTL); err == nil && ok {
			rec.Bypass = strings.Split(list, ",")
		}
	}
	if bypassed(r, rec.Bypass) {
		return false
	}
	page := "<h1>Scheduled maintenance</h1>"
	if rec.HasPage {
		if body, ok, err := lookup(ns, keys.MaintenancePage(host), routeCacheTTL); err == nil && ok {
			page = body
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Retry-After", strconv.FormatInt(max(rec.Until-time.Now().Unix(), 60), 10))
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = io.WriteString(w, page)
	return true
}

func (rt *Router) servePreview(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) {
	raw, err := ns.GetString(keys.Preview(host), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "edge state unavailable", http.StatusServiceUnavailable)
		return
	}
	var rec previewRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		http.Error(w, "preview record unreadable", http.StatusInternalServerError)
		return
	}
	if rec.Protected && !rt.previewAuthorized(ns, w, r, host) {
		http.Redirect(w, r, "/_condor/preview/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
		return
	}
	proxy(w, r, rec.Upstream, nil)
}

func (rt *Router) serveVerify(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) {
	tok, ok, err := lookup(ns, keys.DomainVerify(host), routeCacheTTL)
	if err != nil {
		http.Error(w, "edge state unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok || path.Base(r.URL.Path) != tok {
		http.NotFound(w, r)
		return
	}
	_, _ = io.WriteString(w, tok)
}

// countView keeps a per-host view count for the dashboard's traffic card.
func countView(ns *kv.Namespace, host string) {
	key := "views:" + host
	n := 0
	if v, err := ns.GetString(key, nil); err == nil && v != nullValue {
		n, _ = strconv.Atoi(v)
	}
	_ = ns.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
}

func proxy(w http.ResponseWriter, r *http.Request, upstream string, headers map[string]string) {
	target, err := url.Parse(upstream)
	if err != nil {
		http.Error(w, "bad upstream", http.StatusBadGateway)
		return
	}
	target.Path = path.Join(target.Path, r.URL.Path)
	target.RawQuery = r.URL.RawQuery

	req, err := http.NewRequestWithContext(r.Context(), r.Method, target.String(), r.Body)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	req.Header = r.Header.Clone()
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("X-Forwarded-Host", r.Host)

	resp, err := fetch.NewClient().HTTPClient(fetch.RedirectModeManual).Do(req)
	if err != nil {
		http.Error(w, "upstream unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func bypassed(r *http.Request, cidrs []string) bool {
	addr, err := netip.ParseAddr(r.Header.Get("Cf-Connecting-Ip"))
	if err != nil {
		return false
	}
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(strings.TrimSpace(c)); err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}

func cmpOr(v, fallback int) int {
	if v == 0 {
		return fallback
	}
	return v
}
