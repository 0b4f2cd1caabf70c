package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/identity/internal/accounts"
	"example.com/identity/internal/loginlimit"
	"example.com/identity/internal/oauth"
	"example.com/identity/internal/session"
	"example.com/identity/internal/tokens"
)

type handlers struct{ d *Deps }

// Routes returns the handler table, keyed "METHOD /path".
func Routes(d *Deps) map[string]http.HandlerFunc {
	h := &handlers{d: d}
	return map[string]http.HandlerFunc{
		"POST /login":            h.login,
		"POST /logout":           h.logout,
		"POST /account/password": h.changePassword,
		"GET /authorize":         h.authorize,
		"POST /token":            h.token,
		"GET /userinfo":          h.userinfo,
		"GET /jwks.json":         h.jwks,
	}
}

// Mux registers the table on a ServeMux.
func Mux(d *Deps, mws ...Middleware) http.Handler {
	mux := http.NewServeMux()
	for pattern, fn := range Routes(d) {
		mux.Handle(pattern, fn)
	}
	return Chain(mux, mws...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func (h *handlers) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	login, password := r.FormValue("login"), r.FormValue("password")
	ip := clientIP(r)
	if err := h.d.Limiter.Allow(ctx, ip, login); errors.Is(err, loginlimit.ErrLocked) {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	uid, err := h.d.Passwords.Check(ctx, login, password)
	if err != nil {
		_ = h.d.Limiter.Failure(ctx, ip, login)
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	_ = h.d.Limiter.Success(ctx, login)
	s, err := h.d.Sessions.Create(ctx, uid, r.UserAgent(), []string{"pwd"})
	if err != nil {
		http.Error(w, "could not start session", http.StatusServiceUnavailable)
		return
	}
	if err := h.d.Accounts.RecordLogin(ctx, uid, r.UserAgent()); err != nil {
		h.d.Log.Warn("record login", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: session.Handle(s), Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, r.FormValue("return_to"), http.StatusSeeOther)
}

func (h *handlers) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("sid"); err == nil {
		if err := h.d.Sessions.Logout(r.Context(), c.Value); err != nil {
			h.d.Log.Warn("logout", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

func (h *handlers) changePassword(w http.ResponseWriter, r *http.Request) {
	s := currentSession(r)
	if s == nil {
		http.Error(w, "login required", http.StatusUnauthorized)
		return
	}
	if err := h.d.Passwords.Change(r.Context(), s.UserID, r.FormValue("old"), r.FormValue("new")); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	n, err := h.d.Sessions.RevokeAll(r.Context(), s.UserID)
	if err != nil {
		h.d.Log.Error("revoke sessions", "uid", s.UserID, "err", err)
	}
	writeJSON(w, http.StatusOK, map[string]int{"sessions_revoked": n})
}

func (h *handlers) authorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	clientID, redirectURI := q.Get("client_id"), q.Get("redirect_uri")
	if !h.d.Clients.RedirectAllowed(ctx, clientID, redirectURI) {
		http.Error(w, "invalid redirect_uri", http.StatusBadRequest)
		return
	}
	s := currentSession(r)
	if s == nil {
		http.Redirect(w, r, "/login?return_to="+r.URL.String(), http.StatusFound)
		return
	}
	scopes := strings.Fields(q.Get("scope"))
	if err := h.d.Consents.Grant(ctx, s.UserID, clientID, scopes); err != nil {
		h.d.Log.Warn("consent", "err", err)
	}
	code, err := h.d.Codes.Issue(ctx, oauth.AuthCode{
		ClientID: clientID, UserID: s.UserID, RedirectURI: redirectURI, Scopes: scopes,
		Challenge: q.Get("code_challenge"), ChallengeAlg: q.Get("code_challenge_method"),
		Nonce: q.Get("nonce"), AuthTime: s.Created,
	})
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, redirectURI+"?code="+code+"&state="+q.Get("state"), http.StatusFound)
}

func (h *handlers) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	clientID := r.FormValue("client_id")
	if ok, err := h.d.TokenLimiter.Take(ctx, clientID); err == nil && !ok {
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "slow_down"})
		return
	}
	var (
		refresh string
		sub     string
		err     error
	)
	switch r.FormValue("grant_type") {
	case "authorization_code":
		var ac *oauth.AuthCode
		ac, err = h.d.Codes.Redeem(ctx, r.FormValue("code"), clientID, r.FormValue("redirect_uri"), r.FormValue("code_verifier"))
		if err == nil {
			sub = ac.UserID
			refresh, err = h.d.Tokens.Issue(ctx, ac.UserID, clientID, ac.Scopes)
		}
	case "refresh_token":
		var rec *tokens.Record
		refresh, rec, err = h.d.Tokens.Rotate(ctx, r.FormValue("refresh_token"))
		if err == nil {
			sub = rec.UserID
		}
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now().UTC()
	_ = h.d.Save(ctx, "stats:last-token-issued", []byte(now.Format(time.RFC3339Nano))) // EXPECT kvhotkey
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "refresh_token": refresh, "sub": sub, "expires_in": 3600})
}

func (h *handlers) userinfo(w http.ResponseWriter, r *http.Request) {
	s := currentSession(r)
	if s == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	raw, _ := h.d.Load(r.Context(), "profile:"+s.UserID) // EXPECT kvnull
	var p accounts.Profile
	_ = json.Unmarshal(raw, &p)
	writeJSON(w, http.StatusOK, p)
}

// jwks is the origin fallback for /.well-known/jwks.json; it also records
// when the origin last had to serve it.
func (h *handlers) jwks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ns := h.d.NS
	res, _ := ns.Client.KV.Namespaces.Values.Get(ctx, ns.ID, "jwks:current", kv.NamespaceValueGetParams{AccountID: cloudflare.F(ns.AccountID)}) // EXPECT kvnull
	defer res.Body.Close()
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = io.Copy(w, res.Body)

	stamp := time.Now().UTC().Format(time.RFC3339)
	_, _ = ns.Client.KV.Namespaces.Values.Update(ctx, ns.ID, "jwks:origin-last-served", kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(ns.AccountID), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(stamp))}) // EXPECT kvhotkey
}
