// Package jabirugate is a Traefik middleware plugin that guards the jabiru
// query API: it checks API tokens and their scopes, applies a per-token rate
// limit and serves cached GET responses, all from Workers KV.
package jabirugate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// Config is the plugin configuration from the dynamic configuration.
type Config struct {
	AccountID      string   `json:"accountId,omitempty"`
	NamespaceID    string   `json:"namespaceId,omitempty"`
	APIToken       string   `json:"apiToken,omitempty"`
	TokenHeader    string   `json:"tokenHeader,omitempty"`
	CacheTTL       string   `json:"cacheTtl,omitempty"`
	RateWindow     string   `json:"rateWindow,omitempty"`
	RateLimit      int      `json:"rateLimit,omitempty"`
	CachePrefixes  []string `json:"cachePrefixes,omitempty"`
	MaxCachedBytes int      `json:"maxCachedBytes,omitempty"`
}

// CreateConfig returns the default configuration.
func CreateConfig() *Config {
	return &Config{
		TokenHeader:    "X-Jabiru-Token",
		CacheTTL:       "2m",
		RateWindow:     "1m",
		RateLimit:      600,
		CachePrefixes:  []string{"/api/v1/query_range", "/api/v1/labels"},
		MaxCachedBytes: 1 << 20,
	}
}

type tokenRecord struct {
	ID        string    `json:"id"`
	OrgID     int64     `json:"orgId"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt time.Time `json:"expiresAt"`
	LastUsed  time.Time `json:"lastUsed,omitzero"`
}

// Gateway is the middleware.
type Gateway struct {
	next        http.Handler
	name        string
	api         *cloudflare.Client
	accountID   string
	namespaceID string
	header      string
	cacheTTL    time.Duration
	rateWindow  time.Duration
	rateLimit   int
	prefixes    []string
	maxCached   int
}

// New validates the configuration and builds the middleware.
func New(ctx context.Context, next http.Handler, config *Config, name string) (http.Handler, error) {
	if config.AccountID == "" || config.NamespaceID == "" || config.APIToken == "" {
		return nil, errors.New("jabirugate: accountId, namespaceId and apiToken are required")
	}
	cacheTTL, err := time.ParseDuration(config.CacheTTL)
	if err != nil {
		return nil, fmt.Errorf("jabirugate: cacheTtl: %w", err)
	}
	window, err := time.ParseDuration(config.RateWindow)
	if err != nil || window <= 0 {
		return nil, fmt.Errorf("jabirugate: rateWindow %q is not a positive duration", config.RateWindow)
	}
	g := &Gateway{
		next:        next,
		name:        name,
		api:         cloudflare.NewClient(option.WithAPIToken(config.APIToken), option.WithRequestTimeout(5*time.Second)),
		accountID:   config.AccountID,
		namespaceID: config.NamespaceID,
		header:      config.TokenHeader,
		cacheTTL:    cacheTTL,
		rateWindow:  window,
		rateLimit:   config.RateLimit,
		prefixes:    config.CachePrefixes,
		maxCached:   config.MaxCachedBytes,
	}
	probe, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := g.api.KV.Namespaces.Keys.List(probe, g.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(g.accountID),
		Prefix:    cloudflare.F("apitoken:"),
		Limit:     cloudflare.F(float64(5)), // EXPECT kvlimits
	}); err != nil {
		return nil, fmt.Errorf("jabirugate: namespace %s not reachable: %w", g.namespaceID, err)
	}
	return g, nil
}

func (g *Gateway) get(ctx context.Context, key string) ([]byte, error) {
	res, err := g.api.KV.Namespaces.Values.Get(ctx, g.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(g.accountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (g *Gateway) put(ctx context.Context, key, value string, ttlSeconds float64) error {
	body := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(key), Value: cloudflare.F(value)}
	if ttlSeconds > 0 {
		body.ExpirationTTL = cloudflare.F(ttlSeconds)
	}
	_, err := g.api.KV.Namespaces.Bulk.Update(ctx, g.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(g.accountID),
		Body:      []kv.NamespaceBulkUpdateParamsBody{body},
	})
	return err
}

func tokenKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "apitoken:" + hex.EncodeToString(sum[:])
}

func (g *Gateway) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	secret := req.Header.Get(g.header)
	if secret == "" {
		http.Error(rw, "missing API token", http.StatusUnauthorized)
		return
	}
	key := tokenKey(secret)
	raw, err := g.get(ctx, key)
	switch {
	case isNotFound(err):
		http.Error(rw, "unknown API token", http.StatusUnauthorized)
		return
	case err != nil:
		http.Error(rw, "token store unavailable", http.StatusServiceUnavailable)
		return
	}
	var rec tokenRecord
	if err := json.Unmarshal(raw, &rec); err != nil || time.Now().After(rec.ExpiresAt) {
		http.Error(rw, "expired API token", http.StatusUnauthorized)
		return
	}
	if !allowed(rec.Scopes, req) {
		http.Error(rw, "token lacks scope", http.StatusForbidden)
		return
	}
	if !g.admit(ctx, rec.ID) {
		rw.Header().Set("Retry-After", strconv.Itoa(int(g.rateWindow.Seconds())))
		http.Error(rw, "rate limit exceeded", http.StatusTooManyRequests)
		return
	}

	bg := context.WithoutCancel(ctx)
	go g.touch(bg, key, rec)
	go func() {
		_ = g.put(bg, "gateway:last-seen", time.Now().UTC().Format(time.RFC3339), 0) // EXPECT kvhotkey
	}()

	if req.Method != http.MethodGet || !g.cacheable(req.URL.Path) {
		g.next.ServeHTTP(rw, req)
		return
	}
	g.serveCached(rw, req, rec.OrgID)
}

// touch records when the token was last used; the token page shows it.
func (g *Gateway) touch(ctx context.Context, key string, rec tokenRecord) {
	rec.LastUsed = time.Now().UTC()
	body, err := json.Marshal(rec)
	if err != nil {
		return
	}
	ttl := time.Until(rec.ExpiresAt).Seconds()
	if err := g.put(ctx, key, string(body), max(ttl, 60)); err != nil { // EXPECT kvsession|kvrace
		log.Printf("%s: last-used not recorded: %v", g.name, err)
	}
}

// admit applies the per-token rate limit for the current window.
func (g *Gateway) admit(ctx context.Context, tokenID string) bool {
	if g.rateLimit <= 0 {
		return true
	}
	window := time.Now().Truncate(g.rateWindow).Unix()
	key := fmt.Sprintf("ratelimit:%s:%d", tokenID, window)
	count := 0
	if raw, err := g.get(ctx, key); err == nil { // EXPECT kvnull
		count, _ = strconv.Atoi(string(raw))
	}
	count++
	if count > g.rateLimit {
		return false
	}
	if err := g.put(ctx, key, strconv.Itoa(count), max(g.rateWindow.Seconds(), 60)); err != nil { // EXPECT kvcounter|kvrace
		log.Printf("%s: rate counter not saved: %v", g.name, err)
	}
	return true
}

func (g *Gateway) cacheable(path string) bool {
	for _, p := range g.prefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

func (g *Gateway) serveCached(rw http.ResponseWriter, req *http.Request, org int64) {
	ctx := req.Context()
	key := fmt.Sprintf("resp:%d:%s?%s", org, req.URL.Path, req.URL.RawQuery)
	if len(key) > 512 {
		g.next.ServeHTTP(rw, req)
		return
	}
	body, err := g.get(ctx, key)
	if err != nil {
		http.Error(rw, "response cache unavailable", http.StatusBadGateway)
		return
	}
	if len(body) == 0 { // EXPECT kvnull
		rec := &recorder{ResponseWriter: rw, status: http.StatusOK, limit: g.maxCached}
		g.next.ServeHTTP(rec, req)
		if rec.status == http.StatusOK && !rec.overflow {
			err := g.put(context.WithoutCancel(ctx), key, rec.buf.String(),
				float64(g.cacheTTL)) // EXPECT kvttl
			if err != nil {
				log.Printf("%s: response not cached: %v", g.name, err)
			}
		}
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("X-Jabiru-Cache", "hit")
	_, _ = rw.Write(body)
}

// allowed maps a request to a scope: reads need "<area>:read", everything
// else "<area>:write".
func allowed(scopes []string, req *http.Request) bool {
	area := strings.SplitN(strings.TrimPrefix(req.URL.Path, "/api/"), "/", 3)
	need := "metrics"
	if len(area) > 1 && area[0] != "v1" {
		need = area[0]
	}
	verb := ":write"
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		verb = ":read"
	}
	for _, s := range scopes {
		if s == "*" || s == need+verb || s == need+":*" {
			return true
		}
	}
	return false
}

// recorder copies the response into a buffer while writing it through.
type recorder struct {
	http.ResponseWriter
	buf      bytes.Buffer
	status   int
	limit    int
	overflow bool
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	if !r.overflow {
		if r.buf.Len()+len(p) > r.limit {
			r.overflow = true
			r.buf.Reset()
		} else {
			r.buf.Write(p)
		}
	}
	return r.ResponseWriter.Write(p)
}
