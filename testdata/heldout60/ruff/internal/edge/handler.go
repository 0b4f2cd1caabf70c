//go:build js && wasm

// Package edge is the Worker in front of every tenant hostname. It routes by
// hostname from the ROUTES namespace, serves ACME http-01 challenges from
// CERTS, shows maintenance banners, keeps abusive clients out, and proxies
// the rest to the tenant's origin.
package edge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"
)

const (
	challengePrefix = "/.well-known/acme-challenge/"
	perMinuteLimit  = 300
	originBackoff   = 20 * time.Second
	hitsFlushEvery  = 100
)

// Route mirrors tenants.Route in the back end.
type Route struct {
	Tenant string `json:"tenant"`
	Origin string `json:"origin"`
	HSTS   bool   `json:"hsts"`
}

var (
	routeOpts    = &cloudflare.KVNamespaceGetOptions{CacheTTL: 300}
	wildcardOpts = &cloudflare.KVNamespaceGetOptions{CacheTTL: 15} // EXPECT kvttl
	bannerOpts   = &cloudflare.KVNamespaceGetOptions{CacheTTL: 60}
)

// hits counts requests per hostname in this isolate.
var (
	mu   sync.Mutex
	hits = map[string]int{}
)

// Handler returns the Worker's fetch handler.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(challengePrefix, serveChallenge)
	mux.HandleFunc("/", serveTenant)
	return mux
}

func serveChallenge(w http.ResponseWriter, r *http.Request) {
	certs, err := cloudflare.NewKVNamespace(r.Context(), "CERTS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	token := strings.TrimPrefix(r.URL.Path, challengePrefix)
	body, err := certs.GetString("cert:"+token+"+http-01", nil)
	if err != nil {
		http.Error(w, "challenge lookup failed", http.StatusBadGateway)
		return
	}
	if body == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	stamp := fmt.Sprintf(`{"host":%q,"at":%d}`, r.Host, time.Now().Unix())
	_ = certs.PutString("acme:last-challenge", stamp, nil) // EXPECT kvhotkey
	io.WriteString(w, body)
}

func serveTenant(w http.ResponseWriter, r *http.Request) {
	ns, err := cloudflare.NewKVNamespace(r.Context(), "ROUTES")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	host := strings.ToLower(strings.Split(r.Host, ":")[0])
	cloudflare.WaitUntil(r.Context(), func() {
		_ = ns.PutString("edge:last-seen", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	})

	ip := r.Header.Get("CF-Connecting-IP")
	if v, err := ns.GetString("blocked:"+ip, nil); err == nil && v != "<null>" || overLimit(ns, ip) {
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return
	}
	route, err := lookupRoute(ns, host)
	if err != nil || route == nil {
		http.Error(w, "Unknown host", http.StatusMisdirectedRequest)
		return
	}
	if raw, err := ns.GetString("maint:"+host, bannerOpts); err == nil && raw != "<null>" {
		var m struct {
			Message string    `json:"message"`
			Until   time.Time `json:"until"`
		}
		if json.Unmarshal([]byte(raw), &m) == nil && time.Now().Before(m.Until) {
			w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(m.Until).Seconds())))
			http.Error(w, m.Message, http.StatusServiceUnavailable)
			return
		}
	}
	recordHit(ns, host)
	proxy(w, r, ns, route)
}

// lookupRoute tries the exact hostname, then a wildcard route for its parent.
func lookupRoute(ns *cloudflare.KVNamespace, host string) (*Route, error) {
	raw, err := ns.GetString("route:"+host, routeOpts)
	if err != nil {
		return nil, err
	}
	if raw == "<null>" {
		_, parent, found := strings.Cut(host, ".")
		if !found {
			return nil, nil
		}
		if raw, err = ns.GetString("route:*."+parent, wildcardOpts); err != nil { // EXPECT kvnull
			return nil, err
		}
	}
	var route Route
	if err := json.Unmarshal([]byte(raw), &route); err != nil {
		return nil, fmt.Errorf("route %s: %w", host, err)
	}
	return &route, nil
}

// overLimit counts the client's requests in the current minute and blocks
// clients that go over the limit for a while.
func overLimit(ns *cloudflare.KVNamespace, ip string) bool {
	key := fmt.Sprintf("rl:%s:%d", ip, time.Now().Unix()/60)
	v, err := ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return false
	}
	n, _ := strconv.Atoi(v)
	_ = ns.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
	if n+1 <= perMinuteLimit {
		return false
	}
	_ = ns.PutString("blocked:"+ip, time.Now().UTC().Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: 30, // EXPECT kvttl
	})
	return true
}

// recordHit publishes the isolate's running total for host every
// hitsFlushEvery requests.
func recordHit(ns *cloudflare.KVNamespace, host string) {
	mu.Lock()
	hits[host]++
	n := hits[host]
	mu.Unlock()
	if n%hitsFlushEvery == 0 {
		_ = ns.PutString("hits:"+host, strconv.Itoa(n), nil) // EXPECT kvcounter
	}
}

func proxy(w http.ResponseWriter, r *http.Request, ns *cloudflare.KVNamespace, route *Route) {
	origin, err := url.Parse(route.Origin)
	if err != nil || origin.Host == "" {
		http.Error(w, "Origin not configured", http.StatusBadGateway)
		return
	}
	if v, err := ns.GetString("origin-down:"+origin.Host, nil); err == nil && v != "<null>" {
		http.Error(w, "Origin unavailable", http.StatusBadGateway)
		return
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(origin)
			pr.SetXForwarded()
			pr.Out.Host = r.Host
		},
		Transport: fetch.NewClient().HTTPClient(fetch.RedirectModeManual).Transport,
		ModifyResponse: func(res *http.Response) error {
			if route.HSTS {
				res.Header.Set("Strict-Transport-Security", "max-age=31536000")
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			_ = ns.PutString("origin-down:"+origin.Host, err.Error(), &cloudflare.KVNamespacePutOptions{
				Expiration: int(time.Now().Add(originBackoff).Unix()), // EXPECT kvttl
			})
			http.Error(w, "Origin unavailable", http.StatusBadGateway)
		},
	}
	rp.ServeHTTP(w, r)
}

const rollupPages = 20

// Scheduled is the Worker's cron handler ("*/10 * * * *").
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := cloudflare.NewKVNamespace(ctx, "ROUTES")
	if err != nil {
		return err
	}
	errs := errors.Join(
		summariseRoutes(ns),
		clearEndedMaintenance(ns, ev.ScheduledTime),
		exportBlocklist(ns, ev.ScheduledTime),
		countActiveHosts(ns, ev.ScheduledTime),
	)
	stamp := fmt.Sprintf(`{"at":%q,"ok":%t}`, ev.ScheduledTime.Format(time.RFC3339), errs == nil)
	return errors.Join(errs, ns.PutString("edge:cron:last-run", stamp, nil))
}

// summariseRoutes publishes route counts for the status page.
func summariseRoutes(ns *cloudflare.KVNamespace) error {
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: "route:"}) // EXPECT kvlist
	if err != nil {
		return err
	}
	hosts, wildcards := 0, 0
	for _, k := range res.Keys {
		if strings.HasPrefix(k.Name, "route:*.") {
			wildcards++
		} else {
			hosts++
		}
	}
	return ns.PutString("edge:route-summary", fmt.Sprintf(`{"hosts":%d,"wildcards":%d}`, hosts, wildcards), nil)
}

// clearEndedMaintenance removes banners whose window has ended; banners
// written by older back ends carry no expiration.
func clearEndedMaintenance(ns *cloudflare.KVNamespace, at time.Time) error {
	cursor := ""
	for {
		res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: "maint:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			return nil
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 {
				continue
			}
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || raw == "<null>" {
				continue
			}
			var m struct {
				Until time.Time `json:"until"`
			}
			if json.Unmarshal([]byte(raw), &m) == nil && at.After(m.Until) {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		cursor = res.Cursor
	}
}

// exportBlocklist writes the blocked addresses as one value for the
// dashboard.
func exportBlocklist(ns *cloudflare.KVNamespace, at time.Time) error {
	var blocked []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "blocked:", Limit: 1000}
	for page := 0; page < 10; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			blocked = append(blocked, strings.TrimPrefix(k.Name, "blocked:"))
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	raw, _ := json.Marshal(map[string]any{"at": at, "addresses": blocked})
	return ns.PutString("edge:blocklist", string(raw), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600})
}

// countActiveHosts records how many hostnames served traffic, from the
// hits keys that isolates publish.
func countActiveHosts(ns *cloudflare.KVNamespace, at time.Time) error {
	hosts, cursor := 0, ""
	for range rollupPages {
		res, err := ns.List(&cloudflare.KVNamespaceListOptions{
			Prefix: "hits:",
			Cursor: cursor,
			Limit:  2000, // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		hosts += len(res.Keys)
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return ns.PutString("edge:hosts-active:"+at.UTC().Format("2006-01-02"), strconv.Itoa(hosts), // DEBATABLE kvcounter
		&cloudflare.KVNamespacePutOptions{Expiration: int(at.Add(40 * 24 * time.Hour).Unix())})
}
