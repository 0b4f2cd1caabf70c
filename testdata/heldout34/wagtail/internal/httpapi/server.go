// Package httpapi is wagtail's public REST API and dashboard endpoints.
package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"time"

	"wagtail/internal/config"
	"wagtail/internal/delivery"
	"wagtail/internal/kvstore"
	"wagtail/internal/oauth"
	"wagtail/internal/quota"
	"wagtail/internal/session"
	"wagtail/internal/subscription"
	"wagtail/internal/tenant"
)

// Components used by the handlers, set once by Setup.
var (
	ns         config.Namespaces
	apiKeys    *tenant.KeyRepo
	subs       *subscription.Repo
	deliveries *delivery.Store
	limiter    *quota.Limiter
	sessions   *session.Store
	oauthMgr   *oauth.Manager
)

// Setup creates the repositories from the configuration.
func Setup(cfg config.Config, billing kvstore.Loader) {
	ns = cfg.KV.Namespaces
	apiKeys = tenant.NewKeyRepo(ns.Keys)
	subs = subscription.NewRepo(ns.Hooks)
	deliveries = delivery.NewStore(ns.Hooks)
	limiter = quota.New(ns.Keys, cfg.Delivery, billing)
	sessions = session.NewStore(ns.Sessions, cfg.KV.TTL)
	oauthMgr = oauth.NewManager(ns.Sessions, ns.Keys, ns.Cache, cfg.OAuth)
}

// Handler builds the route table.
func Handler(cfg config.Config) http.Handler {
	mux := http.NewServeMux()
	routes := []struct {
		pattern  string
		cacheTTL time.Duration
		handler  func(http.ResponseWriter, *http.Request) error
	}{
		{"GET /v1/event-types", 10 * time.Minute, listEventTypes},
		{"GET /v1/status", cfg.KV.TTL.ResponseCache, status},
		{"GET /v1/endpoints/{id}/health", 15 * time.Second, endpointHealth}, // EXPECT kvttl
		{"GET /v1/subscriptions", 0, listSubscriptions},
		{"GET /v1/onboarding", 0, onboarding},
		{"POST /v1/events", 0, ingestEvent},
		{"POST /v1/events/batch", 0, ingestBatch},
		{"GET /v1/deliveries/{id}/status", 0, deliveryStatus},
		{"GET /v1/deliveries/{id}/payload", 0, deliveryPayload},
		{"POST /logout", 0, logout},
		{"POST /session/tenant", 0, switchTenant},
		{"GET /oauth/{provider}/callback", 0, oauthCallback},
		{"DELETE /v1/connections/{provider}", 0, disconnect},
	}
	for _, rt := range routes {
		h := serve(rt.handler)
		if rt.cacheTTL > 0 {
			h = cached(rt.cacheTTL, h)
		}
		mux.HandleFunc(rt.pattern, h)
	}
	return mux
}

// httpError carries a status code to serve.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func fail(code int, msg string) error { return &httpError{code, msg} }

func serve(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var he *httpError
		switch {
		case errors.As(err, &he):
			writeJSON(w, he.code, map[string]string{"error": he.msg})
		case kvstore.IsMiss(err):
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		default:
			log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": "storage unavailable"})
		}
	}
}

type recorder struct {
	http.ResponseWriter
	code int
	buf  bytes.Buffer
}

func (r *recorder) WriteHeader(code int) { r.code = code; r.ResponseWriter.WriteHeader(code) }

func (r *recorder) Write(p []byte) (int, error) {
	r.buf.Write(p)
	return r.ResponseWriter.Write(p)
}

// cached serves GET responses from the response cache, keyed by tenant and
// URL, and stores successful responses for ttl.
func cached(ttl time.Duration, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := kvstore.Key("resp", r.Header.Get("X-Tenant"), r.URL.Path, r.URL.RawQuery)
		if raw, err := kvstore.GetBytes(r.Context(), ns.Cache, key); err == nil {
			w.Header().Set("Content-Type", "application/json")
			w.Write(raw)
			return
		}
		rec := &recorder{ResponseWriter: w, code: http.StatusOK}
		h(rec, r)
		if rec.code == http.StatusOK {
			if err := kvstore.PutBytes(r.Context(), ns.Cache, key, rec.buf.Bytes(), ttl); err != nil {
				log.Printf("response cache %s: %v", key, err)
			}
		}
	}
}

// authenticate resolves the bearer API key of a request.
func authenticate(r *http.Request) (tenant.APIKey, error) {
	k, err := apiKeys.Authenticate(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if errors.Is(err, tenant.ErrUnknownKey) {
		return k, fail(http.StatusUnauthorized, "invalid api key")
	}
	return k, err
}

func currentSession(r *http.Request) (session.Session, error) {
	c, err := r.Cookie("wagtail_session")
	if err != nil {
		return session.Session{}, fail(http.StatusUnauthorized, "not signed in")
	}
	s, err := sessions.Resume(r.Context(), c.Value)
	if errors.Is(err, session.ErrNoSession) {
		return s, fail(http.StatusUnauthorized, "not signed in")
	}
	return s, err
}

func writeJSON(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(v)
}
