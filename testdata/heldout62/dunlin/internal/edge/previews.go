//go:build js && wasm

package edge

import (
	"bytes"
	"crypto/subtle"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// servePreview serves one file of a deploy preview. The API server writes
// preview-host:<slug> (the build behind the slug) and bumps
// deploy-gen:<slug> on every redeploy, which versions the cache key.
func (e *Env) servePreview(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	build, err := e.previews.GetString("preview-host:"+slug, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "preview lookup failed", http.StatusBadGateway)
		return
	}
	if build == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	gen, err := e.previews.GetString("deploy-gen:"+slug, &kv.GetOptions{CacheTTL: 60}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "preview lookup failed", http.StatusBadGateway)
		return
	}
	n, err := strconv.Atoi(gen)
	if err != nil {
		http.Error(w, "preview is being redeployed", http.StatusServiceUnavailable)
		return
	}

	cacheURL := *r.URL
	cacheURL.RawQuery = "g=" + strconv.Itoa(n)
	cacheReq, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, cacheURL.String(), nil)
	if res, err := e.cache.Match(cacheReq, nil); err == nil {
		copyResponse(w, res)
		return
	}

	path := strings.TrimPrefix(r.PathValue("path"), "/")
	if path == "" || strings.HasSuffix(path, "/") {
		path += "index.html"
	}
	res, err := e.client.Get(e.origin + "/" + build + "/" + path)
	if err != nil {
		http.Error(w, "origin unreachable", http.StatusBadGateway)
		return
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		http.Error(w, "origin read failed", http.StatusBadGateway)
		return
	}
	if res.StatusCode == http.StatusOK {
		cached := &http.Response{
			StatusCode: http.StatusOK,
			Header:     res.Header.Clone(),
			Body:       io.NopCloser(bytes.NewReader(body)),
		}
		cached.Header.Set("Cache-Control", "public, max-age=600")
		_ = e.cache.Put(cacheReq, cached)
		cloudflare.WaitUntil(func() { e.countView(slug) })
	}
	for k, vs := range res.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(body)
}

// countView counts a view in D1 and mirrors the total for the dashboard's
// preview cards every hundred views.
func (e *Env) countView(slug string) {
	var views int64
	err := e.db.QueryRow(`INSERT INTO preview_views (slug, views) VALUES (?, 1)
		ON CONFLICT (slug) DO UPDATE SET views = views + 1
		RETURNING views`, slug).Scan(&views)
	if err != nil || views%100 != 0 {
		return
	}
	_ = e.previews.PutString("views:"+slug, strconv.FormatInt(views, 10), nil) // DEBATABLE kvcounter
}

// appendBuildLog receives log lines from the build runners.
func (e *Env) appendBuildLog(w http.ResponseWriter, r *http.Request) {
	want := cloudflare.Getenv("RUNNER_TOKEN")
	if got := r.Header.Get("X-Runner-Token"); want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	chunk, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	key := "buildlog:" + r.PathValue("id")
	prev, err := e.previews.GetString(key, nil)
	if err != nil {
		http.Error(w, "log lookup failed", http.StatusBadGateway)
		return
	}
	if prev == missing {
		prev = ""
	}
	next := prev + strings.TrimRight(string(chunk), "\n") + "\n"
	if err := e.previews.PutString(key, next, &kv.PutOptions{ExpirationTTL: 14 * 24 * 3600}); err != nil { // EXPECT kvrace
		http.Error(w, "log write failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
