//go:build js && wasm

package edge

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

// route is what the orchestrator publishes under route:<host>.
type route struct {
	Origin string `json:"origin"`
	Env    string `json:"env"`
	Public bool   `json:"public"`
}

// Router proxies preview hostnames to their origins.
type Router struct {
	Sessions *SessionManager
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ns, err := openNamespaces(r.Context())
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	host := previewHost(r)

	raw, err := ns.routes.GetString("route:"+host, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "route lookup failed", http.StatusBadGateway)
		return
	}
	if raw == kvNull {
		// Vanity aliases point at another preview's hostname.
		alias, err := ns.routes.GetString("alias:"+host, &cloudflare.KVNamespaceGetOptions{
			CacheTTL: 15, // EXPECT kvttl
		})
		if err != nil || alias == "" { // EXPECT kvnull
			http.NotFound(w, r)
			return
		}
		if raw, err = ns.routes.GetString("route:"+alias, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300}); err != nil || raw == kvNull {
			http.NotFound(w, r)
			return
		}
	}
	var rte route
	if err := json.Unmarshal([]byte(raw), &rte); err != nil {
		http.Error(w, "bad route", http.StatusBadGateway)
		return
	}

	if !rte.Public {
		if _, ok := rt.Sessions.Authorize(w, r, ns, rte.Env); !ok {
			return
		}
	}

	// Lets the orchestrator scale idle previews down.
	_ = ns.routes.PutString("edge:last-seen", strconv.FormatInt(time.Now().Unix(), 10), nil) // EXPECT kvhotkey
	cloudflare.WaitUntil(r.Context(), func() {
		_ = ns.routes.PutString("seen:"+host, time.Now().UTC().Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400}) // DEBATABLE kvhotkey
	})
	if r.URL.Path == "/" {
		recordView(ns, rte.Env)
	}
	proxy(w, r, rte.Origin)
}

// recordView counts landing-page views per environment for the dashboard.
func recordView(ns *namespaces, env string) {
	key := "views:" + env
	raw, err := ns.routes.GetString(key, nil)
	if err != nil {
		return
	}
	n := 0
	if raw != kvNull {
		n, _ = strconv.Atoi(raw)
	}
	_ = ns.routes.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
}

func proxy(w http.ResponseWriter, r *http.Request, origin string) {
	target, err := url.Parse(origin)
	if err != nil {
		http.Error(w, "bad origin", http.StatusBadGateway)
		return
	}
	u := *r.URL
	u.Scheme, u.Host = target.Scheme, target.Host
	u.Path = strings.TrimSuffix(target.Path, "/") + r.URL.Path
	out, err := fetch.NewRequest(r.Context(), r.Method, u.String(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	res, err := fetch.NewClient().Do(out, nil)
	if err != nil {
		http.Error(w, "origin unreachable", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	for k, vs := range res.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, res.Body)
}
