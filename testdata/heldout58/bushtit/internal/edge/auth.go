//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

const (
	guestCookie   = "arc_guest"
	guestLifetime = 24 * time.Hour
	loginWindow   = 10 * time.Minute
)

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// guest serves POST /guest: a throwaway identity for players who have not
// signed in yet.
func (e *Env) guest(w http.ResponseWriter, r *http.Request) {
	id := newToken()
	c := &http.Cookie{Name: guestCookie, Value: id, MaxAge: int(guestLifetime.Seconds()), Secure: true, HttpOnly: true, Path: "/"}
	if err := e.Auth.PutString("guest:"+id, r.Header.Get("CF-IPCountry"), &cloudflare.KVNamespacePutOptions{ExpirationTTL: c.MaxAge}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, c)
	w.WriteHeader(http.StatusCreated)
}

// whoami serves GET /guest: it also keeps the guest identity alive while the
// player keeps playing.
func (e *Env) whoami(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(guestCookie)
	if err != nil {
		http.Error(w, "no guest", http.StatusUnauthorized)
		return
	}
	key := "guest:" + c.Value
	country, err := text(e.Auth, key, 0)
	if err != nil {
		http.Error(w, "no guest", http.StatusUnauthorized)
		return
	}
	if err := store(e.Auth, key, country, guestLifetime); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"guest": c.Value, "country": country})
}

// loginStart serves GET /login: it remembers the OAuth state and redirects
// to the identity provider.
func (e *Env) loginStart(w http.ResponseWriter, r *http.Request) {
	state := newToken()
	if err := store(e.Auth, "oauth_state:"+state, r.URL.Query().Get("return"), loginWindow); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	q := url.Values{"state": {state}, "client_id": {cloudflare.Getenv("OAUTH_CLIENT_ID")}, "response_type": {"code"}}
	http.Redirect(w, r, "https://id.arcadia.example/authorize?"+q.Encode(), http.StatusFound)
}

// loginCallback serves GET /login/callback.
func (e *Env) loginCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	ret, err := text(e.Auth, "oauth_state:"+state, 0)
	if err != nil {
		http.Error(w, "login expired", http.StatusBadRequest)
		return
	}
	if err := e.Auth.Delete("oauth_state:" + state); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	resp, err := e.exchange(r, r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name != "arc_session" {
			continue
		}
		// Remember the session at the edge so lobby lookups can skip the backend.
		ttl := int(time.Until(c.Expires).Seconds())
		if err := e.Auth.PutString("edge-sess:"+c.Value, "1", &cloudflare.KVNamespacePutOptions{ExpirationTTL: ttl}); err != nil { // EXPECT kvttl
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		http.SetCookie(w, c)
	}
	http.Redirect(w, r, ret, http.StatusFound)
}

// refresh serves POST /session/refresh by forwarding to the backend and
// caching the new session the same way the login callback does.
func (e *Env) refresh(w http.ResponseWriter, r *http.Request) {
	resp, err := e.forward(r, "/auth/refresh")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "arc_session" && c.MaxAge > 0 {
			ttl := max(c.MaxAge, 60)
			_ = e.Auth.PutString("edge-sess:"+c.Value, "1", &cloudflare.KVNamespacePutOptions{ExpirationTTL: ttl})
			http.SetCookie(w, c)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func (e *Env) exchange(r *http.Request, code string) (*http.Response, error) {
	form := url.Values{"code": {code}}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, e.Backend+"/auth/oauth", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return fetch.NewClient().HTTPClient(fetch.RedirectModeManual).Do(req)
}

func (e *Env) forward(r *http.Request, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, e.Backend+path, r.Body)
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	return fetch.NewClient().HTTPClient(fetch.RedirectModeManual).Do(req)
}

// limited applies a per-IP request budget to the invite endpoints, which
// are a favourite target for code guessing.
func (e *Env) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ip := r.Header.Get("CF-Connecting-IP")
		key := "rl:invite:" + ip + ":" + strconv.FormatInt(time.Now().Unix()/60, 10)
		v, err := e.Auth.GetString(key, nil) // DEBATABLE kvnull
		if err != nil {
			next(w, r)
			return
		}
		n, _ := strconv.Atoi(v)
		if n >= 20 {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		_ = e.Auth.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
		next(w, r)
	}
}
