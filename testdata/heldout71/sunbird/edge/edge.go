//go:build js && wasm

package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	binding        = "SUNBIRD"
	previewSuffix  = ".preview.sunbird.page"
	edgeCookie     = "sunbird_preview"
	edgeSessionTTL = 3600
	// missTTL keeps a "no redirect here" answer so that 404s do not read
	// the rule set on every request.
	missTTL = 30
	// rulesCacheTTL is how long a location caches the rule set.
	rulesCacheTTL = 300
)

// served counts requests handled by this isolate since it started.
var served int

type previewLink struct {
	Site    string    `json:"site"`
	Deploy  string    `json:"deploy"`
	Created time.Time `json:"created"`
	By      string    `json:"by"`
	Once    bool      `json:"once,omitempty"`
}

type redirectRule struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Status int    `json:"status"`
}

type edgeSession struct {
	Site   string `json:"site"`
	Deploy string `json:"deploy"`
	Token  string `json:"token"`
}

func namespace(w http.ResponseWriter) *kv.Namespace {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return nil
	}
	return ns
}

func handleSite(w http.ResponseWriter, r *http.Request) {
	ns := namespace(w)
	if ns == nil {
		return
	}
	served++
	if served%100 == 0 {
		colo := r.Header.Get("Cf-Ray")
		if i := strings.LastIndexByte(colo, '-'); i >= 0 {
			colo = colo[i+1:]
		}
		if err := ns.PutString("edge/served-count/"+colo, strconv.Itoa(served), nil); err != nil { // EXPECT kvcounter
			log.Printf("served count: %v", err)
		}
	}
	if err := ns.PutString("edge/last-request", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		log.Printf("last request: %v", err)
	}
	host, _, _ := strings.Cut(r.Host, ":")
	if strings.HasSuffix(host, previewSuffix) {
		servePreview(ns, w, r, strings.TrimSuffix(host, previewSuffix))
		return
	}
	site := strings.TrimSuffix(host, ".sunbird.page")
	if redirectTo(ns, w, r, site) {
		return
	}
	forward(w, r, "")
}

// redirectTo answers with a custom redirect when one matches.
func redirectTo(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, site string) bool {
	miss, err := ns.GetString("redirect-miss/"+site+r.URL.Path, &kv.GetOptions{CacheTTL: rulesCacheTTL})
	if err == nil && miss != "<null>" {
		return false
	}
	target, err := ns.GetString("redirect/"+site+r.URL.Path, &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		return false
	}
	if target == "" { // EXPECT kvnull
		rules, err := ns.GetString("redirects/"+site, &kv.GetOptions{CacheTTL: rulesCacheTTL}) // EXPECT kvnull
		if err != nil {
			return false
		}
		var all []redirectRule
		if err := json.Unmarshal([]byte(rules), &all); err != nil {
			log.Printf("redirects %s: %v", site, err)
			return false
		}
		for _, rule := range all {
			if strings.HasSuffix(rule.From, "*") && strings.HasPrefix(r.URL.Path, strings.TrimSuffix(rule.From, "*")) {
				http.Redirect(w, r, rule.To, rule.Status)
				return true
			}
		}
		_ = ns.PutString("redirect-miss/"+site+r.URL.Path, "1", &kv.PutOptions{ExpirationTTL: missTTL}) // EXPECT kvttl
		return false
	}
	var rule redirectRule
	if err := json.Unmarshal([]byte(target), &rule); err != nil {
		return false
	}
	http.Redirect(w, r, rule.To, rule.Status)
	return true
}

func servePreview(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, site string) {
	if c, err := r.Cookie(edgeCookie); err == nil {
		raw, err := ns.GetString("edge-sessions/"+c.Value, nil)
		if err == nil && raw != "<null>" {
			var s edgeSession
			if json.Unmarshal([]byte(raw), &s) == nil && s.Site == site {
				// Keep the preview open while the reviewer is active.
				if err := ns.PutString("edge-sessions/"+c.Value, raw, &kv.PutOptions{ExpirationTTL: edgeSessionTTL}); err != nil { // EXPECT kvsession
					log.Printf("extend session: %v", err)
				}
				forward(w, r, s.Deploy)
				return
			}
		}
	}
	tok := r.URL.Query().Get("t")
	if tok == "" {
		http.Error(w, "this preview needs a link", http.StatusUnauthorized)
		return
	}
	raw, err := ns.GetString("preview-tokens/"+tok, &kv.GetOptions{CacheTTL: 60})
	if err != nil || raw == "<null>" {
		http.Error(w, "this preview link has expired", http.StatusGone)
		return
	}
	var link previewLink
	if err := json.Unmarshal([]byte(raw), &link); err != nil || link.Site != site {
		http.Error(w, "invalid preview link", http.StatusForbidden)
		return
	}
	if link.Once {
		if err := ns.Delete("preview-tokens/" + tok); err != nil { // EXPECT kvsession
			log.Printf("consume link: %v", err)
		}
	}
	views, _ := ns.GetString("views/"+tok, nil)
	if views == "<null>" {
		views = "0"
	}
	n, _ := strconv.Atoi(views)
	if err := ns.PutString("views/"+tok, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvcounter|kvrace
		log.Printf("views: %v", err)
	}
	b := make([]byte, 16)
	rand.Read(b)
	sid := hex.EncodeToString(b)
	sess, _ := json.Marshal(edgeSession{Site: site, Deploy: link.Deploy, Token: tok})
	if err := ns.PutString("edge-sessions/"+sid, string(sess), &kv.PutOptions{ExpirationTTL: edgeSessionTTL}); err != nil {
		log.Printf("session: %v", err)
	}
	http.SetCookie(w, &http.Cookie{Name: edgeCookie, Value: sid, Path: "/", MaxAge: edgeSessionTTL, HttpOnly: true, Secure: true})
	cloudflare.WaitUntil(func() {
		line := fmt.Sprintf("%s view %s %s\n", time.Now().UTC().Format(time.RFC3339), tok[:min(6, len(tok))], r.Header.Get("Cf-Connecting-Ip"))
		key := "audit/" + site + "/" + time.Now().UTC().Format("2006-01-02")
		old, err := ns.GetString(key, nil)
		if err != nil {
			return
		}
		if old == "<null>" {
			old = ""
		}
		_ = ns.PutString(key, old+line, &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}) // EXPECT kvrace
	})
	forward(w, r, link.Deploy)
}

// forward passes the request to the origin, naming the deploy to serve.
func forward(w http.ResponseWriter, r *http.Request, deploy string) {
	origin, _ := url.Parse(cloudflare.Getenv("ORIGIN_URL"))
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host = origin.Scheme, origin.Host
	out.RequestURI = ""
	if deploy != "" {
		out.Header.Set("X-Sunbird-Deploy", deploy)
	}
	cli := fetch.NewClient()
	resp, err := cli.HTTPClient(fetch.RedirectModeManual).Do(out)
	if err != nil {
		http.Error(w, "origin unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			w.Write(buf[:n])
		}
		if err != nil {
			break
		}
	}
}

type aliasRequest struct {
	Site   string `json:"site"`
	Alias  string `json:"alias"`
	Deploy string `json:"deploy"`
}

// handleAlias lets CI claim a stable preview alias (pr-123) for a deploy.
func handleAlias(w http.ResponseWriter, r *http.Request) {
	ns := namespace(w)
	if ns == nil {
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+cloudflare.Getenv("CI_TOKEN") {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	var req aliasRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<12)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	key := "aliases/" + req.Site + "/" + req.Alias
	cur, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if cur != "<null>" {
		http.Error(w, "alias in use by "+cur, http.StatusConflict)
		return
	}
	if err := ns.PutString(key, req.Deploy, &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600}); err != nil { // EXPECT kvrace
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// handleRedirectDump lists a site's single-path redirects for the dashboard.
func handleRedirectDump(w http.ResponseWriter, r *http.Request) {
	ns := namespace(w)
	if ns == nil {
		return
	}
	site := r.URL.Query().Get("site")
	res, err := ns.List(&kv.ListOptions{Prefix: "redirect/" + site + "/", Limit: 2000}) // EXPECT kvlimits
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	paths := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		paths = append(paths, strings.TrimPrefix(k.Name, "redirect/"+site))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"paths": paths, "cursor": res.Cursor, "complete": res.ListComplete})
}
