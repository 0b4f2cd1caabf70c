//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// nullValue is how a missing key comes back from GetString.
const nullValue = "<null>"

type site struct {
	kv *cloudflare.KVNamespace
}

func isMissing(v string) bool { return v == "" || v == nullValue }

type website struct {
	IndexDocument struct {
		Suffix string `json:"Suffix"`
	} `json:"IndexDocument"`
	ErrorDocument struct {
		Key string `json:"Key"`
	} `json:"ErrorDocument"`
}

// bucketFor maps the request host to a bucket: custom domains first, then
// <bucket>.sites.tui.dev.
func (s *site) bucketFor(host string) (string, bool) {
	host = strings.ToLower(host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if b, ok := strings.CutSuffix(host, ".sites.tui.dev"); ok {
		return b, true
	}
	bucket, err := s.kv.GetString("dom/"+host, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600})
	if err != nil || bucket == "" { // EXPECT kvnull
		return "", false
	}
	return bucket, true
}

func (s *site) websiteConfig(bucket string) website {
	var w website
	w.IndexDocument.Suffix = "index.html"
	raw, err := s.kv.GetString("web/"+bucket, &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err == nil && !isMissing(raw) {
		_ = json.Unmarshal([]byte(raw), &w)
	}
	return w
}

func (s *site) serveSite(w http.ResponseWriter, r *http.Request) {
	_ = s.kv.PutString("health/edge-last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	bucket, ok := s.bucketFor(r.Host)
	if !ok {
		http.Error(w, "site not found", http.StatusNotFound)
		return
	}
	cfg := s.websiteConfig(bucket)
	path := strings.TrimPrefix(r.URL.Path, "/")
	if path == "" || strings.HasSuffix(path, "/") {
		path += cfg.IndexDocument.Suffix
	}
	if s.serveObject(w, bucket, path) {
		s.countHit(bucket, path)
		return
	}
	if dir := strings.TrimSuffix(path, cfg.IndexDocument.Suffix); s.serveIndexFor(w, bucket, dir, cfg) {
		return
	}
	neg := "neg/" + bucket + "/" + path
	_ = s.kv.PutString(neg, "1", &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: 30, // EXPECT kvttl
	})
	if cfg.ErrorDocument.Key != "" && s.serveObject(w, bucket, cfg.ErrorDocument.Key) {
		return
	}
	http.NotFound(w, r)
}

// serveObject streams o/<bucket>/<path>; it reports false when the key is absent.
func (s *site) serveObject(w http.ResponseWriter, bucket, path string) bool {
	if v, err := s.kv.GetString("neg/"+bucket+"/"+path, nil); err == nil && !isMissing(v) {
		return false
	}
	body, err := s.kv.GetReader("o/"+bucket+"/"+path, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil || body == nil {
		return false
	}
	w.Header().Set("Content-Type", contentType(path))
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = io.Copy(w, body)
	return true
}

// serveIndexFor looks for an index document under dir, then falls back to a
// generated listing of dir.
func (s *site) serveIndexFor(w http.ResponseWriter, bucket, dir string, cfg website) bool {
	prefix := "o/" + bucket + "/" + dir
	cursor := ""
	for range 3 {
		res, err := s.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return false
		}
		for _, k := range res.Keys {
			rest := strings.TrimPrefix(k.Name, prefix)
			if strings.HasSuffix(rest, "/"+cfg.IndexDocument.Suffix) && strings.Count(rest, "/") == 1 {
				w.Header().Set("Location", "/"+dir+strings.TrimSuffix(rest, cfg.IndexDocument.Suffix))
				w.WriteHeader(http.StatusFound)
				return true
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return s.renderListing(w, bucket, dir)
}

// renderListing writes an autoindex page for a directory.
func (s *site) renderListing(w http.ResponseWriter, bucket, dir string) bool {
	prefix := "o/" + bucket + "/" + dir
	res, err := s.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil || len(res.Keys) == 0 {
		return false
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><title>Index of /%s</title><h1>Index of /%s</h1><ul>", html.EscapeString(dir), html.EscapeString(dir))
	seen := map[string]bool{}
	for _, k := range res.Keys {
		name := strings.TrimPrefix(k.Name, prefix)
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[:i+1]
		}
		if !seen[name] {
			seen[name] = true
			fmt.Fprintf(w, `<li><a href="%s">%s</a></li>`, html.EscapeString(name), html.EscapeString(name))
		}
	}
	fmt.Fprint(w, "</ul>")
	return true
}

func (s *site) countHit(bucket, path string) {
	key := "hits/" + bucket + "/" + path
	v, err := s.kv.GetString(key, nil)
	if err != nil {
		return
	}
	n, _ := strconv.Atoi(v)
	_ = s.kv.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter
}

// serveDownload serves a one-time download link minted by the console:
// /_dl/<token>. Links are rate limited per client address.
func (s *site) serveDownload(w http.ResponseWriter, r *http.Request) {
	ip := r.Header.Get("CF-Connecting-IP")
	rlKey := "ratelimit/dl/" + ip
	cur, _ := s.kv.GetString(rlKey, nil)
	n := 0
	if !isMissing(cur) {
		n, _ = strconv.Atoi(cur)
	}
	if n >= 30 {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	_ = s.kv.PutString(rlKey, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 60}) // EXPECT kvcounter

	token := strings.TrimPrefix(r.URL.Path, "/_dl/")
	raw, err := s.kv.GetString("dl/"+token, nil)
	if err != nil || isMissing(raw) {
		http.NotFound(w, r)
		return
	}
	var link struct {
		Bucket, Key string
		Sig         string
	}
	if json.Unmarshal([]byte(raw), &link) != nil {
		http.NotFound(w, r)
		return
	}
	if rev, err := s.kv.GetString("revoked/"+link.Sig, nil); err == nil && !isMissing(rev) {
		http.Error(w, "link revoked", http.StatusGone)
		return
	}
	if err := s.kv.Delete("dl/" + token); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	s.chargeEgress(link.Bucket, r)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", link.Key[strings.LastIndexByte(link.Key, '/')+1:]))
	if !s.serveObject(w, link.Bucket, link.Key) {
		http.NotFound(w, r)
	}
	s.appendAccessLog(link.Bucket, ip+" "+link.Key)
}

// chargeEgress adds a download to the bucket's monthly transfer quota.
func (s *site) chargeEgress(bucket string, r *http.Request) {
	month := time.Now().UTC().Format("2006-01")
	key := "quota/egress/" + bucket + "/" + month
	v, _ := s.kv.GetString(key, nil) // EXPECT kvnull
	used, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return
	}
	used += max(r.ContentLength, 1)
	_ = s.kv.PutString(key, strconv.FormatInt(used, 10), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter
		Expiration: int(time.Now().AddDate(0, 2, 0).Unix()),
	})
}

// appendAccessLog keeps the day's download log for the console.
func (s *site) appendAccessLog(bucket, line string) {
	key := "accesslog/" + bucket + "/" + time.Now().UTC().Format("2006-01-02")
	old, err := s.kv.GetString(key, nil)
	if err != nil {
		return
	}
	if isMissing(old) {
		old = ""
	}
	_ = s.kv.PutString(key, old+time.Now().UTC().Format(time.RFC3339)+" "+line+"\n", &cloudflare.KVNamespacePutOptions{ExpirationTTL: 7 * 86400}) // EXPECT kvrace
}

func contentType(path string) string {
	switch {
	case strings.HasSuffix(path, ".html"):
		return "text/html; charset=utf-8"
	case strings.HasSuffix(path, ".css"):
		return "text/css"
	case strings.HasSuffix(path, ".js"):
		return "text/javascript"
	case strings.HasSuffix(path, ".svg"):
		return "image/svg+xml"
	case strings.HasSuffix(path, ".png"):
		return "image/png"
	case strings.HasSuffix(path, ".json"):
		return "application/json"
	}
	return "application/octet-stream"
}
