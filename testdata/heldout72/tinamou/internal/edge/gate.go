//go:build js && wasm

// Package edge is the Worker that fronts the suite's APIs: it validates OAuth2
// access tokens issued by the backend and throttles login attempts before
// they reach the origin.
package edge

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// nullValue is what GetString yields for a key that does not exist: the
// runtime resolves the read with JS null and syscall/js renders it this way.
const nullValue = "<null>"

const (
	accessPrefix  = "oauth:access:"
	revokedPrefix = "oauth:revoked:"
	clientPrefix  = "oauth:client:"
	ipPrefix      = "login:attempts:ip:"
	lockPrefix    = "login:lock:"
	cooldownKey   = "login:cooldown:ip:"

	maxIPAttempts  = 20
	throttleWindow = 10 * time.Minute
	clientCacheTTL = 300
	lockTTL        = 900
)

// Gate holds the Worker's bindings.
type Gate struct {
	tokens *kv.Namespace
	limits *kv.Namespace
	db     *sql.DB
	origin http.Handler
}

// NewGate binds the TOKENS and LIMITS namespaces and the DB database.
func NewGate(db *sql.DB, origin http.Handler) (*Gate, error) {
	tokens, err := cloudflare.NewKVNamespace("TOKENS")
	if err != nil {
		return nil, err
	}
	limits, err := cloudflare.NewKVNamespace("LIMITS")
	if err != nil {
		return nil, err
	}
	return &Gate{tokens: tokens, limits: limits, db: db, origin: origin}, nil
}

// lookup reads key and reports whether it exists.
func lookup(ns *kv.Namespace, key string, cacheTTL int) (string, bool, error) {
	var opts *kv.GetOptions
	if cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: cacheTTL}
	}
	v, err := ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == nullValue {
		return "", false, nil
	}
	return v, true, nil
}

func revokedKey(access string) string {
	sum := sha256.Sum256([]byte(access))
	return revokedPrefix + hex.EncodeToString(sum[:16])
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// Authenticate validates the request's access token and returns its record.
func (g *Gate) Authenticate(r *http.Request) (*models.Token, int, error) {
	access := bearer(r)
	if access == "" {
		return nil, http.StatusUnauthorized, errors.New("missing bearer token")
	}
	if _, revoked, err := lookup(g.tokens, revokedKey(access), 60); err != nil {
		return nil, http.StatusServiceUnavailable, err
	} else if revoked {
		return nil, http.StatusUnauthorized, errors.New("token revoked")
	}

	raw, err := g.tokens.GetString(accessPrefix+access, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		return nil, http.StatusServiceUnavailable, err
	}
	if raw == "" { // EXPECT kvnull
		return nil, http.StatusUnauthorized, errors.New("unknown token")
	}
	var tok models.Token
	if err := json.Unmarshal([]byte(raw), &tok); err != nil {
		return nil, http.StatusUnauthorized, err
	}
	if tok.AccessCreateAt.Add(tok.AccessExpiresIn).Before(time.Now()) {
		return nil, http.StatusUnauthorized, errors.New("token expired")
	}
	return &tok, http.StatusOK, nil
}

// ServeAPI checks the token and forwards the request to the origin.
func (g *Gate) ServeAPI(w http.ResponseWriter, r *http.Request) {
	tok, status, err := g.Authenticate(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, err.Error(), status)
		return
	}
	policy, err := g.clientPolicy(tok.ClientID)
	if err != nil {
		http.Error(w, "client policy unavailable", http.StatusServiceUnavailable)
		return
	}
	if !policy.allows(r.URL.Path) {
		http.Error(w, "forbidden for this client", http.StatusForbidden)
		return
	}
	r.Header.Set("X-Tinamou-User", tok.UserID)
	r.Header.Set("X-Tinamou-Client", tok.ClientID)
	r.Header.Set("X-Tinamou-Scope", tok.Scope)
	colo := r.Header.Get("Cf-Ray")
	cloudflare.WaitUntil(func() {
		_ = g.tokens.PutString("edge:last-token-check", colo+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	})
	g.origin.ServeHTTP(w, r)
}

// clientPolicy lists the API path prefixes a client may call.
type clientPolicy struct {
	Paths []string `json:"paths"`
}

func (p clientPolicy) allows(path string) bool {
	if len(p.Paths) == 0 {
		return true
	}
	for _, prefix := range p.Paths {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

func (g *Gate) clientPolicy(clientID string) (clientPolicy, error) {
	var p clientPolicy
	raw, err := g.tokens.GetString(clientPrefix+clientID+":policy", &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		return p, err
	}
	err = json.Unmarshal([]byte(raw), &p)
	return p, err
}

func clientAddr(r *http.Request) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(r.Header.Get("Cf-Connecting-Ip"))
	if err != nil {
		return netip.Addr{}, false
	}
	return addr.Unmap(), true
}

// ServeLogin throttles POST /login per client address and per account
// before forwarding to the origin.
func (g *Gate) ServeLogin(w http.ResponseWriter, r *http.Request) {
	addr, ok := clientAddr(r)
	if !ok {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if _, cooling, err := lookup(g.limits, cooldownKey+addr.String(), 0); err == nil && cooling {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}

	account := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	if _, locked, err := lookup(g.limits, lockPrefix+account, 0); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	} else if locked {
		http.Error(w, "account locked", http.StatusTooManyRequests)
		return
	}

	n, err := g.countAttempt(addr)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if n > maxIPAttempts {
		_ = g.limits.PutString(cooldownKey+addr.String(), time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{
			ExpirationTTL: 30, // EXPECT kvttl
		})
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}

	rec := &statusRecorder{ResponseWriter: w}
	g.origin.ServeHTTP(rec, r)
	if rec.status == http.StatusSeeOther && strings.Contains(rec.Header().Get("Location"), "error=") {
		g.recordAccountFailure(r, account)
	}
}

// countAttempt counts a login attempt from addr in the current window.
func (g *Gate) countAttempt(addr netip.Addr) (int, error) {
	key := ipPrefix + addr.String()
	v, err := g.limits.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, err
	}
	n++
	err = g.limits.PutString(key, strconv.Itoa(n), &kv.PutOptions{ // EXPECT kvcounter|kvrace
		ExpirationTTL: int(throttleWindow), // EXPECT kvttl
	})
	return n, err
}

// recordAccountFailure counts a failed password in D1, which increments
// atomically, and publishes a lock flag to KV once the account crosses the
// threshold so that every location refuses it without a database read.
func (g *Gate) recordAccountFailure(r *http.Request, account string) {
	ctx := r.Context()
	var failures int
	err := g.db.QueryRowContext(ctx,
		`INSERT INTO login_failures (account, count, window_start) VALUES (?, 1, unixepoch())
		 ON CONFLICT(account) DO UPDATE SET count = count + 1
		 RETURNING count`, account).Scan(&failures)
	if err != nil {
		return
	}
	_ = g.limits.PutString("login:failures:count:"+account, strconv.Itoa(failures), &kv.PutOptions{ExpirationTTL: lockTTL}) // DEBATABLE kvcounter
	if failures < 5 {
		return
	}
	_ = g.limits.PutString(lockPrefix+account, time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: lockTTL})
}

// ClientName resolves an OAuth2 client's display name, caching D1 rows in KV.
func (g *Gate) ClientName(r *http.Request, clientID string) (string, error) {
	if v, ok, err := lookup(g.tokens, clientPrefix+clientID+":name", 0); err != nil {
		return "", err
	} else if ok {
		return v, nil
	}
	var name string
	err := g.db.QueryRowContext(r.Context(), `SELECT name FROM oauth_clients WHERE id = ?`, clientID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	_ = g.tokens.PutString(clientPrefix+clientID+":name", name, &kv.PutOptions{ExpirationTTL: clientCacheTTL})
	return name, nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
