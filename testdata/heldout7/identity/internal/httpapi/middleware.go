package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/identity/internal/session"
	"example.com/identity/internal/store/kvsdk"
)

type ctxKey int

const (
	sessionKey ctxKey = iota
	apiKeyKey
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

// Recover turns panics into 500s.
func Recover(d *Deps) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					d.Log.Error("panic", "path", r.URL.Path, "value", v)
					http.Error(w, "internal error", http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// Sessions loads the session cookie, if any, and keeps it alive.
func Sessions(d *Deps) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("sid")
			if err != nil {
				next.ServeHTTP(w, r)
				return
			}
			s, err := d.Sessions.Load(r.Context(), c.Value)
			if errors.Is(err, session.ErrNoSession) {
				http.SetCookie(w, &http.Cookie{Name: "sid", MaxAge: -1, Path: "/"})
				next.ServeHTTP(w, r)
				return
			}
			if err != nil {
				http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
				return
			}
			if err := d.Sessions.Touch(r.Context(), s); err != nil {
				d.Log.Warn("session touch", "err", err)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, s)))
		})
	}
}

func currentSession(r *http.Request) *session.Session {
	s, _ := r.Context().Value(sessionKey).(*session.Session)
	return s
}

// APIQuota enforces the monthly request quota of API keys.
func APIQuota(d *Deps, monthly int) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, _, ok := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), ".")
			if !ok || !strings.HasPrefix(id, "ak_") {
				next.ServeHTTP(w, r)
				return
			}
			ctx := r.Context()
			key := "quota:" + id + ":" + time.Now().UTC().Format("2006-01")
			var used int64
			res, err := d.NS.Client.KV.Namespaces.Values.Get(ctx, d.NS.ID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(d.NS.AccountID)})
			if err != nil && !kvsdk.IsNotFound(err) {
				http.Error(w, "quota unavailable", http.StatusServiceUnavailable)
				return
			}
			if err == nil {
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				used, _ = strconv.ParseInt(string(b), 10, 64)
			}
			if used >= int64(monthly) {
				http.Error(w, "monthly quota exceeded", http.StatusTooManyRequests)
				return
			}
			used++
			_, err = d.NS.Client.KV.Namespaces.Values.Update(ctx, d.NS.ID, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(d.NS.AccountID), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.FormatInt(used, 10))), ExpirationTTL: cloudflare.F(40 * 24 * 3600.0)}) // EXPECT kvcounter
			if err != nil {
				d.Log.Warn("quota write", "err", err)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, apiKeyKey, id)))
		})
	}
}
