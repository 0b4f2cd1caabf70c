//go:build js && wasm

// Package middleware holds the Worker's HTTP middleware: partner API-key
// auth, partner rate limiting, activity tracking and sessions.
package middleware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wayfarer/internal/accounts"
	"example.com/wayfarer/internal/domain"
	"example.com/wayfarer/internal/storage"
)

type Middleware func(http.Handler) http.Handler

// Compose applies mws so the first is outermost.
func Compose(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

type ctxKey int

const (
	partnerKey ctxKey = iota
	sessionKey
)

// PartnerFrom returns the authenticated partner key, if any.
func PartnerFrom(ctx context.Context) (domain.PartnerKey, bool) {
	p, ok := ctx.Value(partnerKey).(domain.PartnerKey)
	return p, ok
}

// SessionFrom returns the signed-in session, if any.
func SessionFrom(ctx context.Context) (domain.Session, bool) {
	s, ok := ctx.Value(sessionKey).(domain.Session)
	return s, ok
}

// HashKey is how partner secrets are stored.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// PartnerAuth authenticates requests under /partner/ by their bearer key.
func PartnerAuth(keys *storage.KV) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, "/partner/") {
				next.ServeHTTP(w, r)
				return
			}
			secret := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			if secret == "" {
				http.Error(w, "missing API key", http.StatusUnauthorized)
				return
			}
			var pk domain.PartnerKey
			err := keys.GetJSON(r.Context(), "partner-key:"+HashKey(secret), &pk)
			if storage.IsNotFound(err) {
				http.Error(w, "unknown API key", http.StatusUnauthorized)
				return
			}
			if err != nil {
				http.Error(w, "auth unavailable", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), partnerKey, pk)))
		})
	}
}

// RateLimit allows perMinute partner requests per calendar minute.
func RateLimit(binding string, perMinute int) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := PartnerFrom(r.Context())
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			ns, err := kv.NewNamespace(binding)
			if err != nil {
				next.ServeHTTP(w, r) // fail open
				return
			}
			key := "ratelimit:" + p.PartnerID + ":" + time.Now().UTC().Format("200601021504")
			v, err := ns.GetString(key, nil)
			if err != nil {
				next.ServeHTTP(w, r)
				return
			}
			n := 0
			if v != "<null>" {
				n, _ = strconv.Atoi(v)
			}
			if n >= perMinute {
				w.Header().Set("Retry-After", "60")
				http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
				return
			}
			if err := ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}); err != nil { // EXPECT kvcounter
				log.Printf("ratelimit: %v", err)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// PartnerActivity records when partners were last active. The shared
// "edge:last-partner-call" key feeds the ops status page; the per-partner
// key is refreshed at most every five minutes.
func PartnerActivity(s storage.Store) Middleware {
	const refreshAfter = 5 * time.Minute
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			p, ok := PartnerFrom(r.Context())
			if !ok {
				return
			}
			ctx := context.WithoutCancel(r.Context())
			now := time.Now().UTC()
			stamp := []byte(now.Format(time.RFC3339))
			if err := s.Put(ctx, "edge:last-partner-call", stamp); err != nil { // EXPECT kvhotkey
				log.Printf("activity: %v", err)
			}
			seenKey := "partner-seen:" + p.PartnerID
			prev, err := s.Get(ctx, seenKey)
			if err == nil {
				if t, perr := time.Parse(time.RFC3339, string(prev)); perr == nil && now.Sub(t) < refreshAfter {
					return
				}
			} else if !storage.IsNotFound(err) {
				return
			}
			_ = s.Put(ctx, seenKey, stamp, storage.WithTTL(30*24*time.Hour))
		})
	}
}

// SessionCookie is the name of the session cookie.
const SessionCookie = "wf_session"

// Sessions loads the session named by the cookie and slides its expiry.
func Sessions(sessions *accounts.SessionRepo) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie(SessionCookie)
			if err != nil || c.Value == "" {
				next.ServeHTTP(w, r)
				return
			}
			sess, err := sessions.Get(r.Context(), c.Value)
			if err != nil {
				if storage.IsNotFound(err) {
					http.SetCookie(w, &http.Cookie{Name: SessionCookie, MaxAge: -1, Path: "/"})
				}
				next.ServeHTTP(w, r)
				return
			}
			sess.LastSeen = time.Now().UTC()
			if err := sessions.Save(r.Context(), sess.ID, sess); err != nil { // EXPECT kvsession
				log.Printf("session touch: %v", err)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, sess)))
		})
	}
}

// RequireSessionFor rejects anonymous requests whose path starts with one
// of prefixes.
func RequireSessionFor(prefixes ...string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, signedIn := SessionFrom(r.Context())
			for _, p := range prefixes {
				if !signedIn && strings.HasPrefix(r.URL.Path, p) {
					http.Error(w, "sign in required", http.StatusUnauthorized)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}
