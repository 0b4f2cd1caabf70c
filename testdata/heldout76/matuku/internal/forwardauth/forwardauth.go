// Package forwardauth is the Traefik ForwardAuth / nginx auth_request
// endpoint. The proxy sends every request's method, host and URI in
// X-Forwarded-* headers; we answer 200 with identity headers, 401 when the
// browser has to sign in, or 403 when policy refuses the route.
package forwardauth

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"matuku/internal/kvstore"
	"matuku/internal/policy"
)

// Session is a browser session at the gateway.
type Session struct {
	ID        string    `json:"id"`
	Subject   string    `json:"sub"`
	Email     string    `json:"email"`
	MFA       bool      `json:"mfa"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Identity is what the upstream identity provider returns after login.
type Identity struct {
	Subject string
	Email   string
	MFA     bool
	Expiry  time.Time // expiry of the IdP's ID token
}

// IdentityProvider completes the authorization-code exchange with the IdP.
type IdentityProvider interface {
	AuthCodeURL(state string) string
	Exchange(ctx context.Context, code string) (*Identity, error)
}

// Handler serves /forward-auth, /auth/login and /auth/callback.
type Handler struct {
	KV          *kvstore.Store
	Policies    *policy.Evaluator
	IdP         IdentityProvider
	Log         *slog.Logger
	CookieName  string
	IdleTimeout time.Duration
	PerMinute   int // requests per client IP per minute; 0 disables
}

const (
	sessionPrefix = "sess:"
	statePrefix   = "oauth-state:"
	stateTTL      = 10 * time.Minute
)

func randomID() string { return rand.Text() }

// ServeHTTP routes the three endpoints.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/forward-auth":
		h.check(w, r)
	case "/auth/login":
		h.login(w, r)
	case "/auth/callback":
		h.callback(w, r)
	default:
		http.NotFound(w, r)
	}
}

func clientIP(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		first, _, _ := strings.Cut(xff, ",")
		return strings.TrimSpace(first)
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// allow applies the per-IP request budget.
func (h *Handler) allow(ctx context.Context, ip string) (bool, error) {
	if h.PerMinute <= 0 {
		return true, nil
	}
	key := "ratelimit:ip:" + ip + ":" + time.Now().UTC().Format("200601021504")
	n := 0
	raw, err := h.KV.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return true, err // fail open: the limiter must not take the gateway down
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= h.PerMinute {
		return false, nil
	}
	return true, h.KV.Put(ctx, key, []byte(strconv.Itoa(n+1)), 2*time.Minute) // EXPECT kvcounter|kvrace
}

func (h *Handler) check(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ok, err := h.allow(ctx, clientIP(r))
	if err != nil {
		h.Log.Warn("rate limiter", "err", err)
	}
	if !ok {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}

	c, err := r.Cookie(h.CookieName)
	if err != nil {
		h.unauthenticated(w, r)
		return
	}
	key := sessionPrefix + c.Value
	raw, err := h.KV.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		h.unauthenticated(w, r)
		return
	}
	if err != nil {
		http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
		return
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		h.unauthenticated(w, r)
		return
	}
	now := time.Now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeen) > h.IdleTimeout {
		h.unauthenticated(w, r)
		return
	}

	in := policy.Input{
		Subject: sess.Subject,
		Method:  r.Header.Get("X-Forwarded-Method"),
		Host:    r.Header.Get("X-Forwarded-Host"),
		Path:    r.Header.Get("X-Forwarded-Uri"),
		MFA:     sess.MFA,
	}
	p, err := h.Policies.Load(ctx, sess.Subject)
	if err != nil {
		http.Error(w, "policy unavailable", http.StatusServiceUnavailable)
		return
	}
	if d := policy.Evaluate(p, in); d.Effect != policy.Allow {
		http.Error(w, d.Reason, http.StatusForbidden)
		return
	}

	// Sliding idle timeout: each request pushes the idle deadline out.
	sess.LastSeen = now
	b, _ := json.Marshal(sess)
	if err := h.KV.PutUntil(ctx, key, b, sess.ExpiresAt, nil); err != nil { // EXPECT kvsession|kvrace
		h.Log.Warn("touch session", "err", err)
	}

	w.Header().Set("X-Forwarded-User", sess.Subject)
	w.Header().Set("X-Forwarded-Email", sess.Email)
	w.Header().Set("X-Auth-MFA", strconv.FormatBool(sess.MFA))
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) unauthenticated(w http.ResponseWriter, r *http.Request) {
	back := "https://" + r.Header.Get("X-Forwarded-Host") + r.Header.Get("X-Forwarded-Uri")
	w.Header().Set("Location", "/auth/login?rd="+url.QueryEscape(back))
	http.Error(w, "sign-in required", http.StatusUnauthorized)
}

type loginState struct {
	Redirect  string    `json:"rd"`
	CreatedAt time.Time `json:"created_at"`
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	state := randomID()
	b, _ := json.Marshal(loginState{Redirect: r.URL.Query().Get("rd"), CreatedAt: time.Now()})
	if err := h.KV.Put(r.Context(), statePrefix+state, b, stateTTL); err != nil {
		http.Error(w, "cannot start sign-in", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, h.IdP.AuthCodeURL(state), http.StatusFound)
}

func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	stateKey := statePrefix + q.Get("state")
	raw, err := h.KV.Get(ctx, stateKey)
	if err != nil {
		http.Error(w, "unknown or expired sign-in state", http.StatusBadRequest)
		return
	}
	var st loginState
	_ = json.Unmarshal(raw, &st)
	if err := h.KV.Delete(ctx, stateKey); err != nil { // EXPECT kvsession
		h.Log.Warn("drop login state", "err", err)
	}

	id, err := h.IdP.Exchange(ctx, q.Get("code"))
	if err != nil {
		http.Error(w, "sign-in failed", http.StatusUnauthorized)
		return
	}
	now := time.Now()
	sess := Session{ID: randomID(), Subject: id.Subject, Email: id.Email, MFA: id.MFA,
		CreatedAt: now, LastSeen: now, ExpiresAt: id.Expiry}
	b, _ := json.Marshal(sess)
	// The gateway session may not outlive the IdP's ID token.
	if err := h.KV.Put(ctx, sessionPrefix+sess.ID, b, max(time.Until(id.Expiry), 10*time.Second)); err != nil { // EXPECT kvttl
		http.Error(w, "cannot create session", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: h.CookieName, Value: sess.ID, Path: "/", Secure: true,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Expires: id.Expiry})
	rd := st.Redirect
	if rd == "" {
		rd = "/"
	}
	http.Redirect(w, r, rd, http.StatusFound)
}

// Logout ends the browser session.
func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(h.CookieName); err == nil {
		if err := h.KV.Delete(r.Context(), sessionPrefix+c.Value); err != nil { // EXPECT kvsession
			h.Log.Warn("logout", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: h.CookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}
