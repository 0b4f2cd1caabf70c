package kvlimits

import (
	"net/http"
	"path"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// A key helper that maps the root to ".": reported once, where it writes
// it, not at each get and put that may receive it.
func pageKey(p string) string {
	k := strings.Trim(path.Clean("/"+p), "/")
	if k == "" {
		k = "." // want `KV refuses the key "."`
	}
	return k
}

type pageKeyText string

func servePage(ns *kv.Namespace, r *http.Request, html string) (string, error) {
	p := r.URL.Path
	cached, err := ns.GetString(pageKey(p), nil)
	if err != nil || cached != "<null>" {
		return cached, err
	}
	return html, ns.PutString(string(pageKeyText(pageKey(p))), html, nil)
}

// Quiet: the root has a name of its own.
func indexKey(p string) string {
	k := strings.Trim(path.Clean("/"+p), "/")
	if k == "" {
		k = "index"
	}
	return k
}

func serveIndex(ns *kv.Namespace, r *http.Request) (string, error) {
	return ns.GetString(indexKey(r.URL.Path), nil)
}

// The same mapping of the root to ".", in the handler that reads the
// key: reported where the variable is given the text.
func serveSite(site *kv.Namespace, r *http.Request) (string, error) {
	rel := strings.Trim(r.URL.Path, "/")
	if rel == "" {
		rel = "." // want `KV refuses the key "."`
	}
	return site.GetString(rel, nil)
}

// The same in a function its callers give the name: "." is set on a
// branch of its own, whatever they pass.
func PublishPage(site *kv.Namespace, name, html string) error {
	key := strings.Trim(path.Clean("/"+name), "/")
	if key == "" {
		key = "." // want `KV refuses the key "."`
	}
	return site.PutString(key, html, nil)
}

// Quiet: the root gets a name of its own.
func PublishIndex(site *kv.Namespace, name, html string) error {
	key := strings.Trim(path.Clean("/"+name), "/")
	if key == "" {
		key = "index.html"
	}
	return site.PutString(key, html, nil)
}
