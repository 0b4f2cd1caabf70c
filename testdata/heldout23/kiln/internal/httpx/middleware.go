// Package httpx holds the HTTP middleware shared by the kiln API.
package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/ttlpolicy"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Stack composes middleware; the first one listed runs first.
func Stack(h http.Handler, ms ...Middleware) http.Handler {
	for i := len(ms) - 1; i >= 0; i-- {
		h = ms[i](h)
	}
	return h
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// RateLimit rejects clients that exceed limit requests per minute.
func RateLimit(b *kvstore.Bucket, limit int) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			window := time.Now().Truncate(ttlpolicy.RateWindow).Unix()
			key := "ratelimit:" + clientIP(r) + ":" + strconv.FormatInt(window, 10)
			n := 0
			raw, err := b.Get(ctx, key)
			switch {
			case err == nil:
				n, _ = strconv.Atoi(string(raw))
			case !kvstore.IsNotFound(err):
				next.ServeHTTP(w, r) // fail open while the store is unhealthy
				return
			}
			if n >= limit {
				w.Header().Set("Retry-After", "60")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			if err := b.Put(ctx, key, []byte(strconv.Itoa(n+1)), ttlpolicy.RateWindow); err != nil { // EXPECT kvcounter
				log.Printf("ratelimit: %v", err)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// LastSeen records when the API last served a request, for the status page.
func LastSeen(b *kvstore.Bucket) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			stamp := []byte(time.Now().UTC().Format(time.RFC3339))
			_ = b.Put(r.Context(), "status:api:last-request", stamp, 0) // EXPECT kvhotkey
		})
	}
}

// auditRecord is what Audit stores for each mutating admin request.
type auditRecord struct {
	RequestID string    `json:"request_id"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	IP        string    `json:"ip"`
	At        time.Time `json:"at"`
}

// Audit keeps a 30-day trail of mutating requests, one key per request.
func Audit(b *kvstore.Bucket) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return
			}
			var id [8]byte
			_, _ = rand.Read(id[:])
			rec := auditRecord{RequestID: hex.EncodeToString(id[:]), Method: r.Method, Path: r.URL.Path, IP: clientIP(r), At: time.Now().UTC()}
			raw, _ := json.Marshal(rec)
			key := "audit:" + rec.At.Format("20060102") + ":" + rec.RequestID
			_ = b.Put(r.Context(), key, raw, 30*24*time.Hour)
		})
	}
}

// JSON writes v as a JSON response.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Decode reads a JSON request body into v.
func Decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
