package kvrace

import (
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// Quiet: the feed's ETag stored only when the upstream's has changed. The
// value written is the upstream's, whoever writes it; the test is no
// claim.
func feedChanged(ns *kv.Namespace, hc *http.Client, url string) (bool, error) {
	prev, err := ns.GetString("etag:"+url, nil)
	if err != nil {
		return false, err
	}
	res, err := hc.Get(url)
	if err != nil {
		return false, err
	}
	res.Body.Close()
	etag := res.Header.Get("ETag")
	if etag == prev {
		return false, nil
	}
	return true, ns.PutString("etag:"+url, etag, nil)
}
