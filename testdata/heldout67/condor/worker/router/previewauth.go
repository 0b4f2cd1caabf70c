//go:build js && wasm

package router

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/condor-hosting/condor/internal/keys"
)

const (
	sessionCookie    = "condor_preview"
	sessionTTL       = 3600
	oauthStateTTL    = 600
	loginWindow      = 600
	maxLoginAttempts = 5
	lockoutSeconds   = 30
	magicLinkTTL     = 15 * time.Minute
)

type previewSession struct {
	Host    string `json:"host"`
	Subject string `json:"sub"`
	Via     string `json:"via"`
	Issued  int64  `json:"iat"`
}

func randomID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func clientIP(r *http.Request) string {
	return cmpOrStr(r.Header.Get("Cf-Connecting-Ip"), "unknown")
}

func cmpOrStr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

func (rt *Router) servePreviewAuth(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) {
	switch strings.TrimPrefix(r.URL.Path, "/_condor/preview/") {
	case "login":
		rt.handleLogin(ns, w, r, host)
	case "logout":
		rt.handleLogout(ns, w, r, host)
	case "magic":
		if r.Method == http.MethodPost {
			rt.sendMagicLink(ns, w, r, host)
		} else {
			rt.redeemMagicLink(ns, w, r, host)
		}
	case "sso":
		rt.startSSO(ns, w, r, host)
	case "callback":
		rt.finishSSO(ns, w, r, host)
	default:
		http.NotFound(w, r)
	}
}

// startSession issues a new password-less edge session for a preview.
func startSession(ns *kv.Namespace, w http.ResponseWriter, host, subject, via string) error {
	id := randomID()
	body, _ := json.Marshal(previewSession{Host: host, Subject: subject, Via: via, Issued: time.Now().Unix()})
	if err := ns.PutString(keys.PreviewSession(host, id), string(body), &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", MaxAge: sessionTTL,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// previewAuthorized accepts a session cookie or a share link.
func (rt *Router) previewAuthorized(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) bool {
	if c, err := r.Cookie(sessionCookie); err == nil {
		key := keys.PreviewSession(host, c.Value)
		if v, ok, err := lookup(ns, key, routeCacheTTL); err == nil && ok {
			// Sliding expiry: active reviewers stay signed in.
			_ = ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: sessionTTL}) // EXPECT kvsession
			return true
		}
	}

	share := r.URL.Query().Get("share")
	if share == "" {
		return false
	}
	if revoked, ok, err := lookup(ns, keys.RevokedShareTokens, routeCacheTTL); err == nil && ok {
		var list []string
		if json.Unmarshal([]byte(revoked), &list) == nil && slices.Contains(list, share) {
			return false
		}
	}
	v, ok, err := lookup(ns, keys.PreviewToken(share), routeCacheTTL)
	if err != nil || !ok {
		return false
	}
	var tok struct {
		Host string `json:"host"`
	}
	if json.Unmarshal([]byte(v), &tok) != nil || tok.Host != host {
		return false
	}
	return startSession(ns, w, host, "share-link", "share") == nil
}

func (rt *Router) handleLogin(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<form method="post"><input type="password" name="password"><button>Open preview</button></form>`))
		return
	}
	ip := clientIP(r)
	if _, locked, _ := lookup(ns, "login-lockout:"+ip, routeCacheTTL); locked {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}

	attemptsKey := "login-attempts:" + ip
	n := 0
	v, err := ns.GetString(attemptsKey, nil)
	if err != nil {
		http.Error(w, "edge state unavailable", http.StatusServiceUnavailable)
		return
	}
	if v != "" { // EXPECT kvnull
		if n, err = strconv.Atoi(v); err != nil {
			n = 0
		}
	}
	if n >= maxLoginAttempts {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}

	want, ok, err := lookup(ns, "preview-pass:"+host, siteCacheTTL)
	if err != nil || !ok {
		http.Error(w, "preview is not password protected", http.StatusNotFound)
		return
	}
	sum := sha256.Sum256([]byte(r.FormValue("password")))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(want)) != 1 {
		_ = ns.PutString(attemptsKey, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: loginWindow}) // EXPECT kvcounter|kvrace
		if n+1 >= maxLoginAttempts {
			_ = ns.PutString("login-lockout:"+ip, "1", &kv.PutOptions{
				ExpirationTTL: lockoutSeconds, // EXPECT kvttl
			})
		}
		http.Error(w, "wrong password", http.StatusUnauthorized)
		return
	}
	if err := startSession(ns, w, host, "password", "password"); err != nil {
		http.Error(w, "could not start session", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

func (rt *Router) handleLogout(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = ns.Delete(keys.PreviewSession(host, c.Value)) // EXPECT kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (rt *Router) sendMagicLink(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) {
	email := strings.TrimSpace(r.FormValue("email"))
	if !strings.Contains(email, "@") {
		http.Error(w, "email required", http.StatusBadRequest)
		return
	}
	code := randomID()
	body, _ := json.Marshal(map[string]string{"email": email, "host": host})
	err := ns.PutString(keys.MagicLink(code), string(body), &kv.PutOptions{
		Expiration: int(time.Now().Add(magicLinkTTL).UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "could not create link", http.StatusServiceUnavailable)
		return
	}
	link := "https://" + host + "/_condor/preview/magic?code=" + url.QueryEscape(code)
	cloudflare.WaitUntil(func() { mail(email, "Your preview link", link) })
	w.WriteHeader(http.StatusAccepted)
}

func (rt *Router) redeemMagicLink(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) {
	code := r.URL.Query().Get("code")
	v, ok, err := lookup(ns, keys.MagicLink(code), routeCacheTTL)
	if err != nil || !ok {
		http.Error(w, "link expired", http.StatusForbidden)
		return
	}
	var link struct {
		Email string `json:"email"`
		Host  string `json:"host"`
	}
	if json.Unmarshal([]byte(v), &link) != nil || link.Host != host {
		http.Error(w, "link not valid here", http.StatusForbidden)
		return
	}
	if err := ns.Delete(keys.MagicLink(code)); err != nil { // EXPECT kvsession
		http.Error(w, "edge state unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := startSession(ns, w, host, link.Email, "magic-link"); err != nil {
		http.Error(w, "could not start session", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (rt *Router) startSSO(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) {
	state := randomID()
	if err := ns.PutString(keys.OAuthState(state), host, &kv.PutOptions{ExpirationTTL: oauthStateTTL}); err != nil {
		http.Error(w, "edge state unavailable", http.StatusServiceUnavailable)
		return
	}
	q := url.Values{
		"client_id":     {cloudflare.Getenv("SSO_CLIENT_ID")},
		"redirect_uri":  {"https://" + host + "/_condor/preview/callback"},
		"response_type": {"code"},
		"scope":         {"openid email"},
		"state":         {state},
	}
	http.Redirect(w, r, cloudflare.Getenv("SSO_AUTHORIZE_URL")+"?"+q.Encode(), http.StatusFound)
}

func (rt *Router) finishSSO(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, host string) {
	state := r.URL.Query().Get("state")
	v, ok, err := lookup(ns, keys.OAuthState(state), routeCacheTTL)
	if err != nil || !ok || v != host {
		http.Error(w, "sign-in expired, try again", http.StatusBadRequest)
		return
	}
	_ = ns.Delete(keys.OAuthState(state)) // EXPECT kvsession

	subject, err := exchangeCode(r, host, r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, "sign-in failed", http.StatusBadGateway)
		return
	}
	if err := startSession(ns, w, host, subject, "sso"); err != nil {
		http.Error(w, "could not start session", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// exchangeCode redeems an authorization code at the identity provider and
// returns the signed-in user's e-mail address.
func exchangeCode(r *http.Request, host, code string) (string, error) {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {"https://" + host + "/_condor/preview/callback"},
		"client_id":     {cloudflare.Getenv("SSO_CLIENT_ID")},
		"client_secret": {cloudflare.Getenv("SSO_CLIENT_SECRET")},
	}
	resp, err := fetch.NewClient().HTTPClient(fetch.RedirectModeError).PostForm(cloudflare.Getenv("SSO_TOKEN_URL"), form)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Email string `json:"email"`
	}
	return out.Email, json.NewDecoder(resp.Body).Decode(&out)
}

// mail hands a message to the transactional mail service.
func mail(to, subject, body string) {
	form := url.Values{"to": {to}, "subject": {subject}, "text": {body}}
	if resp, err := fetch.NewClient().HTTPClient(fetch.RedirectModeError).PostForm(cloudflare.Getenv("MAIL_ENDPOINT"), form); err == nil {
		resp.Body.Close()
	}
}

func safeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") {
		return next
	}
	return "/"
}
