//go:build js && wasm

// Package edge is the Worker in front of customer gateways: it checks API
// keys and quotas, serves the developer portal session, and runs the queue
// consumer and cron jobs that share its helpers.
package edge

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	bindingName   = "PORTAL_KV"
	rateWindow    = 30 * time.Second
	ratePerWindow = 20
	sessionIdle   = 30 * time.Minute
	sessionCookie = "__Host-portal"
	gatewayCacheS = 300
)

func namespace() (*kv.Namespace, error) { return cloudflare.NewKVNamespace(bindingName) }

var (
	flagsOnce sync.Once
	flags     *openfeature.Client
)

func flagClient(ns *kv.Namespace) *openfeature.Client {
	flagsOnce.Do(func() { flags = NewFlagClient(ns) })
	return flags
}

// missing reports whether a GetString result is KV's null.
func missing(v string) bool { return v == "<null>" }

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

type keyRecord struct {
	ID          string `json:"id"`
	Tenant      string `json:"tenant"`
	GatewayID   string `json:"gateway_id"`
	QuotaPerDay int    `json:"quota_per_day"`
}

// NewMux wires the Worker's routes.
func NewMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/", serveGateway)
	mux.HandleFunc("POST /oauth/token", rateLimited(proxyToOrigin))
	mux.HandleFunc("GET /portal/callback", portalCallback)
	mux.HandleFunc("GET /portal/me", portalMe)
	mux.HandleFunc("POST /portal/logout", portalLogout)
	mux.HandleFunc("POST /portal/slugs", claimSlug)
	mux.HandleFunc("PATCH /admin/flags/{name}", toggleFlag)
	return mux
}

func serveGateway(w http.ResponseWriter, r *http.Request) {
	ns, err := namespace()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	secret := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	raw, err := ns.GetString("apikeys/"+hashKey(secret), nil)
	if err != nil {
		http.Error(w, "key lookup failed", http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "invalid API key", http.StatusUnauthorized)
		return
	}
	var key keyRecord
	if err := json.Unmarshal([]byte(raw), &key); err != nil {
		http.Error(w, "invalid API key", http.StatusUnauthorized)
		return
	}
	if ok, err := chargeQuota(ns, key, time.Now().UTC()); err != nil || !ok {
		http.Error(w, "daily quota exhausted", http.StatusTooManyRequests)
		return
	}
	upstream, err := ns.GetString("gw/upstream/"+key.GatewayID, &kv.GetOptions{CacheTTL: gatewayCacheS})
	if err != nil || missing(upstream) {
		http.Error(w, "gateway not configured", http.StatusBadGateway)
		return
	}
	cloudflare.WaitUntil(func() {
		_ = ns.PutString("edge/last-request-at", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	})
	flags := flagClient(ns)
	evalCtx := openfeature.NewEvaluationContext(key.ID, map[string]any{"tenant": key.Tenant, "gateway": key.GatewayID})
	if fwd, _ := flags.BooleanValue(r.Context(), "edge.forward-client-ip", false, evalCtx); fwd {
		w.Header().Set("X-Forwarded-For", r.Header.Get("CF-Connecting-IP"))
	}
	w.Header().Set("X-Upstream", upstream)
	w.WriteHeader(http.StatusAccepted)
}

// chargeQuota counts one request against the key's daily quota.
func chargeQuota(ns *kv.Namespace, key keyRecord, now time.Time) (bool, error) {
	qkey := "quota/" + key.ID + "/" + now.Format("2006-01-02")
	raw, err := ns.GetString(qkey, nil) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	used, err := strconv.Atoi(raw)
	if err != nil {
		return false, err
	}
	if used >= key.QuotaPerDay {
		return false, nil
	}
	midnight := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
	err = ns.PutString(qkey, strconv.Itoa(used+1), &kv.PutOptions{ // EXPECT kvcounter|kvrace
		ExpirationTTL: int(time.Until(midnight).Seconds()), // EXPECT kvttl
	})
	return err == nil, err
}

// rateLimited throttles unauthenticated endpoints per client IP.
func rateLimited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := namespace()
		if err != nil {
			next(w, r)
			return
		}
		ip := r.Header.Get("CF-Connecting-IP")
		bucket := time.Now().Unix() / int64(rateWindow/time.Second)
		key := "ratelimit/ip/" + ip + "/" + strconv.FormatInt(bucket, 10)
		n := 0
		if v, err := ns.GetString(key, nil); err == nil && !missing(v) {
			n, _ = strconv.Atoi(v)
		}
		if n >= ratePerWindow {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		_ = ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ // EXPECT kvcounter|kvrace
			ExpirationTTL: int(rateWindow / time.Second), // EXPECT kvttl
		})
		next(w, r)
	}
}

func proxyToOrigin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Location", cloudflare.Getenv("ORIGIN_URL")+r.URL.Path)
	w.WriteHeader(http.StatusTemporaryRedirect)
}

type portalSession struct {
	UserID   string    `json:"uid"`
	Tenant   string    `json:"tenant"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

type handoff struct {
	UserID  string `json:"uid"`
	Tenant  string `json:"tenant"`
	Expires int64  `json:"exp"`
}

// portalCallback turns the signed handoff from the OpenID provider into a
// portal session.
func portalCallback(w http.ResponseWriter, r *http.Request) {
	payload, sig, _ := strings.Cut(r.URL.Query().Get("handoff"), ".")
	mac := hmac.New(sha256.New, []byte(cloudflare.Getenv("HANDOFF_SECRET")))
	mac.Write([]byte(payload))
	if !hmac.Equal([]byte(base64.RawURLEncoding.EncodeToString(mac.Sum(nil))), []byte(sig)) {
		http.Error(w, "bad handoff", http.StatusBadRequest)
		return
	}
	var h handoff
	body, _ := base64.RawURLEncoding.DecodeString(payload)
	if json.Unmarshal(body, &h) != nil || time.Now().Unix() > h.Expires {
		http.Error(w, "bad handoff", http.StatusBadRequest)
		return
	}
	ns, err := namespace()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var id [32]byte
	_, _ = rand.Read(id[:])
	sid := base64.RawURLEncoding.EncodeToString(id[:])
	now := time.Now().UTC()
	buf, _ := json.Marshal(portalSession{UserID: h.UserID, Tenant: h.Tenant, Created: now, LastSeen: now})
	if err := ns.PutString("sess/"+sid, string(buf), &kv.PutOptions{ExpirationTTL: 8 * 3600}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/portal/", http.StatusFound)
}

// loadSession returns the caller's session and keeps it alive while in use.
func loadSession(ns *kv.Namespace, r *http.Request) (*portalSession, string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, "", false
	}
	raw, err := ns.GetString("sess/"+c.Value, nil)
	if err != nil || missing(raw) {
		return nil, "", false
	}
	var s portalSession
	if json.Unmarshal([]byte(raw), &s) != nil {
		return nil, "", false
	}
	if time.Since(s.LastSeen) > time.Minute {
		s.LastSeen = time.Now().UTC()
		buf, _ := json.Marshal(s)
		_ = ns.PutString("sess/"+c.Value, string(buf), &kv.PutOptions{ // EXPECT kvsession
			ExpirationTTL: int(sessionIdle), // EXPECT kvttl
		})
	}
	return &s, c.Value, true
}

func portalMe(w http.ResponseWriter, r *http.Request) {
	ns, err := namespace()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s, _, ok := loadSession(ns, r)
	if !ok {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	_ = json.NewEncoder(w).Encode(s)
}

func portalLogout(w http.ResponseWriter, r *http.Request) {
	ns, err := namespace()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if _, sid, ok := loadSession(ns, r); ok {
		_ = ns.Delete("sess/" + sid) // EXPECT kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true})
	w.WriteHeader(http.StatusNoContent)
}

// claimSlug reserves a portal slug (acme.dev.example.com) for a tenant.
func claimSlug(w http.ResponseWriter, r *http.Request) {
	ns, err := namespace()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s, _, ok := loadSession(ns, r)
	if !ok {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	slug := strings.ToLower(r.FormValue("slug"))
	if len(slug) < 3 || len(slug) > 40 {
		http.Error(w, "slug must be 3-40 characters", http.StatusBadRequest)
		return
	}
	existing, err := ns.GetString("slugs/"+slug, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !missing(existing) {
		http.Error(w, "slug is taken", http.StatusConflict)
		return
	}
	if err := ns.PutString("slugs/"+slug, s.Tenant, nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}
