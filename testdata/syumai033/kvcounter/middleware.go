package kvcounter

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

func peer(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return strings.SplitN(r.RemoteAddr, ":", 2)[0]
}

type windows struct{ ns *kv.Namespace }

func (s windows) get(key string) (string, error) { return s.ns.GetString(key, nil) }

func (s windows) put(key, v string) error {
	return s.ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: 120})
}

// A middleware whose key names the client through a helper and the
// window through a parameter the constructor may change: the get and
// the put still use one key.
func limitPerWindow(ns windows, max int, window time.Duration) func(http.Handler) http.Handler {
	if window <= 0 {
		window = time.Minute
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			slot := time.Now().Unix() / int64(window/time.Second)
			key := fmt.Sprintf("w:%s:%d", peer(r), slot)
			n := 0
			if v, err := ns.get(key); err == nil && v != "<null>" {
				n, _ = strconv.Atoi(v)
			}
			if n >= max {
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			_ = ns.put(key, strconv.Itoa(n+1)) // want `counter kept in KV: this put writes back a count read from the same key`
			next.ServeHTTP(w, r)
		})
	}
}

// Quiet: the count read under one client's key is written under
// another's, each from its own call of the helper.
func copyAcross(ns *kv.Namespace, r *http.Request) {
	from := "w:" + peer(r)
	v, _ := ns.GetString(from, nil)
	n, _ := strconv.Atoi(v)
	_ = ns.PutString("seen:"+r.URL.Path, strconv.Itoa(n+1), nil)
}
