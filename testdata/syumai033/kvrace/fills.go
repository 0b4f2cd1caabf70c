package kvrace

import (
	"encoding/json"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// getJSON decodes the value under key into v, and says whether it was
// there.
func getJSON(ns *kv.Namespace, key string, v any) (bool, error) {
	raw, err := ns.GetString(key, nil)
	if err != nil || raw == "<null>" {
		return false, err
	}
	return true, json.Unmarshal([]byte(raw), v)
}

func putJSON(ns *kv.Namespace, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 3600})
}

type pagePreview struct {
	Title, Excerpt string
}

// Quiet: a read-through cache whose found side returns at once; the fill
// writes what it fetched into the variable the get would have filled.
func previewOf(ns *kv.Namespace, url string, fetch func(string) string) (pagePreview, error) {
	key := "preview:" + url
	var p pagePreview
	if ok, err := getJSON(ns, key, &p); err == nil && ok {
		return p, nil
	}
	body := fetch(url)
	p.Title, p.Excerpt = url, body[:min(len(body), 400)]
	return p, putJSON(ns, key, p)
}

// The found side goes on to the put: what was found is changed and
// written back.
func retitle(ns *kv.Namespace, url, title string) error {
	key := "preview:" + url
	var p pagePreview
	if ok, err := getJSON(ns, key, &p); err == nil && ok {
		p.Title = strings.TrimSpace(title)
	}
	return putJSON(ns, key, p) // want `read-modify-write on one KV key`
}
