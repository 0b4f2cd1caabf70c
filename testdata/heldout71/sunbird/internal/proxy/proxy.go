// Package proxy is the origin proxy in front of the sites' API backends. It
// serves /api/* for a hosted site by forwarding to the upstream the site
// configured, caching cacheable responses in KV and falling back to a stale
// copy when the upstream is down.
package proxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sunbird/internal/kvstore"
)

const (
	freshPrefix = "proxy/fresh/"
	stalePrefix = "proxy/stale/"
	// staleFor is how long a stale copy is kept for the error handler.
	staleFor = 48 * time.Hour
	// maxCachedBody keeps big downloads out of KV.
	maxCachedBody = 4 << 20
)

// Upstreams maps a site ID to the base URL of its API backend.
type Upstreams interface {
	Upstream(siteID string) (*url.URL, bool)
}

// Proxy forwards API calls for hosted sites.
type Proxy struct {
	KV        *kvstore.Namespace
	Upstreams Upstreams
	Transport http.RoundTripper

	rp *httputil.ReverseProxy
}

type ctxKey struct{}

type reqInfo struct {
	site string
	key  string
}

// New builds the proxy.
func New(kv *kvstore.Namespace, ups Upstreams, rt http.RoundTripper) *Proxy {
	p := &Proxy{KV: kv, Upstreams: ups, Transport: rt}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.serveStale,
		Transport:      rt,
		FlushInterval:  -1,
	}
	return p
}

func cacheKey(site string, u *url.URL) string {
	return site + "/" + strings.TrimPrefix(u.Path, "/") + "?" + u.Query().Encode()
}

// ServeHTTP answers from the fresh cache when it can and proxies otherwise.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	if _, ok := p.Upstreams.Upstream(site); !ok {
		http.NotFound(w, r)
		return
	}
	info := &reqInfo{site: site, key: cacheKey(site, r.URL)}
	if r.Method == http.MethodGet && r.Header.Get("Authorization") == "" {
		raw, err := p.KV.Get(r.Context(), freshPrefix+info.key)
		switch {
		case err == nil:
			if resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), r); err == nil {
				defer resp.Body.Close()
				writeResponse(w, resp, "HIT")
				return
			}
		case !errors.Is(err, kvstore.ErrNotFound):
			log.Printf("proxy: cache read %s: %v", info.key, err)
		}
	}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, info))
	p.rp.ServeHTTP(w, r)
}

func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	info := pr.In.Context().Value(ctxKey{}).(*reqInfo)
	target, _ := p.Upstreams.Upstream(info.site)
	pr.SetURL(target)
	pr.Out.URL.Path = strings.TrimPrefix(pr.In.URL.Path, "/sites/"+info.site+"/api")
	pr.SetXForwarded()
	pr.Out.Header.Set("X-Sunbird-Site", info.site)
}

// lifetime reports how long resp may be cached according to its headers.
func lifetime(resp *http.Response) (time.Duration, bool) {
	cc := resp.Header.Get("Cache-Control")
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(strings.ToLower(d))
		switch {
		case d == "no-store", d == "private", d == "no-cache":
			return 0, false
		case strings.HasPrefix(d, "s-maxage="), strings.HasPrefix(d, "max-age="):
			_, v, _ := strings.Cut(d, "=")
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return 0, false
			}
			return time.Duration(n) * time.Second, true
		}
	}
	if exp := resp.Header.Get("Expires"); exp != "" {
		t, err := http.ParseTime(exp)
		if err != nil || !t.After(time.Now()) {
			return 0, false
		}
		return time.Until(t), true
	}
	return 0, false
}

func (p *Proxy) modifyResponse(resp *http.Response) error {
	info, _ := resp.Request.Context().Value(ctxKey{}).(*reqInfo)
	if info == nil || resp.Request.Method != http.MethodGet || resp.StatusCode != http.StatusOK {
		return nil
	}
	if resp.ContentLength > maxCachedBody {
		return nil
	}
	ttl, ok := lifetime(resp)
	if !ok {
		return nil
	}
	dump, err := httputil.DumpResponse(resp, true)
	if err != nil {
		return err
	}
	ctx := context.WithoutCancel(resp.Request.Context())
	if err := p.KV.Put(ctx, freshPrefix+info.key, dump, ttl); err != nil { // EXPECT kvttl
		log.Printf("proxy: cache write %s: %v", info.key, err)
	}
	if err := p.KV.PutCache(ctx, stalePrefix+info.key, dump, staleFor); err != nil {
		log.Printf("proxy: stale write %s: %v", info.key, err)
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := p.KV.Put(ctx, "proxy/last-refresh", stamp, 0); err != nil { // EXPECT kvhotkey
		log.Printf("proxy: refresh stamp: %v", err)
	}
	resp.Header.Set("X-Sunbird-Cache", "MISS")
	return nil
}

// serveStale is the ReverseProxy's ErrorHandler: when the upstream fails it
// serves the last good copy, marked as stale.
func (p *Proxy) serveStale(w http.ResponseWriter, r *http.Request, upstreamErr error) {
	info, _ := r.Context().Value(ctxKey{}).(*reqInfo)
	if info == nil {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	raw, err := p.KV.Get(r.Context(), stalePrefix+info.key)
	if err != nil {
		if !errors.Is(err, kvstore.ErrNotFound) {
			log.Printf("proxy: stale read %s: %v", info.key, err)
		}
		log.Printf("proxy: upstream %s: %v", info.site, upstreamErr)
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), r)
	if err != nil {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	resp.Header.Set("Warning", `110 sunbird "Response is Stale"`)
	writeResponse(w, resp, "STALE")
}

func writeResponse(w http.ResponseWriter, resp *http.Response, state string) {
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("X-Sunbird-Cache", state)
	w.WriteHeader(resp.StatusCode)
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	w.Write(buf.Bytes())
	_ = http.NewResponseController(w).Flush()
}
