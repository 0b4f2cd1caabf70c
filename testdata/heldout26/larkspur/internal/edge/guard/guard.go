//go:build js && wasm

// Package guard protects the public signup endpoint: a per-IP rate limit
// and a blocklist of disposable email domains.
package guard

import (
	"errors"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/larkspur/internal/edge/kvbind"
	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
)

var errLimited = errors.New("guard: too many signups")

// Guard allows a fixed number of signups per client IP and minute, from
// addresses whose domain is not blocked.
type Guard struct {
	ns        *kvbind.Namespace
	ks        keys.Space
	perMinute int
	budget    time.Duration
}

// New returns a Guard. budget bounds how long the rate check may delay a
// request before it fails open.
func New(ns *kvbind.Namespace, ks keys.Space, perMinute int, budget time.Duration) *Guard {
	return &Guard{ns: ns, ks: ks, perMinute: max(perMinute, 1), budget: max(budget, 50*time.Millisecond)}
}

func (g *Guard) allow(ip string) error {
	kv, err := g.ns.Handle()
	if err != nil {
		return err
	}
	key := g.ks.Prefix() + "ratelimit:signup:" + ip
	v, err := kv.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if v != "<null>" {
		n, _ = strconv.Atoi(v)
	}
	if n >= g.perMinute {
		return errLimited
	}
	return kv.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 60}) // EXPECT kvcounter
}

// blocked reports whether addresses at domain are refused. The list is
// maintained by the backend.
func (g *Guard) blocked(domain string) (bool, error) {
	kv, err := g.ns.Handle()
	if err != nil {
		return false, err
	}
	v, err := kv.GetString(g.ks.Prefix()+"blocked-domain:"+strings.ToLower(domain), &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600})
	if err != nil {
		return false, err
	}
	if v == "" { // EXPECT kvnull
		return false, nil
	}
	return true, nil
}

// Middleware applies the domain blocklist and the rate limit to POSTs. A
// slow or failing rate check lets the request through.
func (g *Guard) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if _, domain, ok := strings.Cut(r.URL.Query().Get("email"), "@"); ok {
			if blocked, err := g.blocked(domain); err != nil || blocked {
				httpx.Error(w, http.StatusUnprocessableEntity, "please use a permanent email address")
				return
			}
		}
		done := make(chan error, 1)
		go func() { done <- g.allow(httpx.ClientIP(r)) }()
		select {
		case err := <-done:
			if errors.Is(err, errLimited) {
				w.Header().Set("Retry-After", "60")
				httpx.Error(w, http.StatusTooManyRequests, "too many signups, try again in a minute")
				return
			}
			if err != nil {
				log.Printf("guard: rate check failed open: %v", err)
			}
		case <-time.After(g.budget):
			log.Printf("guard: rate check timed out after %s", g.budget)
		}
		next.ServeHTTP(w, r)
	})
}
