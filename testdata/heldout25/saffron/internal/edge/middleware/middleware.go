//go:build js && wasm

// Package middleware holds the worker's HTTP middleware.
package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/storage"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// RequestID stamps every request with an id.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("CF-Ray")
		if id == "" {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r)
	})
}

func client(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return strings.Split(r.RemoteAddr, ":")[0]
}

// LimitSelector picks the window for a request from the live configuration.
type LimitSelector func(c *config.Config) config.Window

// RateLimit rejects clients that exceed the selected window.
func RateLimit(ns *kv.Namespace, scope string, pick LimitSelector) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			win := pick(config.Current())
			key := keys.RateBucket(scope, client(r), time.Now(), win.Window)
			v, err := ns.GetString(key, nil)
			if err != nil {
				next.ServeHTTP(w, r)
				return
			}
			n := 0
			if v != "<null>" {
				n, _ = strconv.Atoi(v)
			}
			if n >= win.Max {
				w.Header().Set("Retry-After", strconv.Itoa(int(win.Window/time.Second)))
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			ttl := max(win.Window, time.Minute)
			_ = ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // EXPECT kvcounter
			next.ServeHTTP(w, r)
		})
	}
}

// Activity records when the worker last served traffic, for the status page.
type Activity struct {
	store storage.Blob
}

// NewActivity builds the activity recorder.
func NewActivity(store storage.Blob) *Activity { return &Activity{store: store} }

// Wrap records the time of every request.
func (a *Activity) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
		go func() {
			_ = a.store.Put(context.WithoutCancel(ctx), "status:last-request", stamp) // EXPECT kvhotkey
		}()
		next.ServeHTTP(w, r)
	})
}

// Maintenance serves 503 while the maintenance flag is set. The flag is
// written rarely, so reads may be cached at the edge for a minute.
func Maintenance(ns *kv.Namespace) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, err := ns.GetString("flags:maintenance", &kv.GetOptions{CacheTTL: 60})
			if err == nil && v != "<null>" && v == "on" {
				http.Error(w, "back soon", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Recover turns panics into 500s.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
