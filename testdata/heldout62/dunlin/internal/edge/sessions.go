//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	sessionCookie = "dunlin_sess"
	sessionTTL    = 8 * 3600
	stateTTL      = 10 * 60
	csrfTTL       = 2 * 3600
)

type session struct {
	ID        string `json:"id"`
	UserID    string `json:"user_id"`
	Tenant    string `json:"tenant"`
	Login     string `json:"login"`
	CreatedAt int64  `json:"created_at"`
}

func randomID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// login starts the GitHub OAuth flow.
func (e *Env) login(w http.ResponseWriter, r *http.Request) {
	state := randomID()
	next := r.URL.Query().Get("next")
	if next == "" || next[0] != '/' {
		next = "/dashboard"
	}
	if err := e.sessions.PutString("oauth-state:"+state, next, &kv.PutOptions{ExpirationTTL: stateTTL}); err != nil {
		http.Error(w, "login unavailable", http.StatusServiceUnavailable)
		return
	}
	q := url.Values{
		"client_id":    {cloudflare.Getenv("GITHUB_CLIENT_ID")},
		"redirect_uri": {cloudflare.Getenv("PUBLIC_URL") + "/auth/callback"},
		"scope":        {"read:user user:email"},
		"state":        {state},
	}
	http.Redirect(w, r, "https://github.com/login/oauth/authorize?"+q.Encode(), http.StatusFound)
}

type identity struct {
	UserID string `json:"user_id"`
	Tenant string `json:"tenant"`
	Login  string `json:"login"`
}

// exchange trades the OAuth code for a dunlin identity at the control plane.
func (e *Env) exchange(r *http.Request, code string) (identity, error) {
	var id identity
	res, err := e.client.PostForm(e.control+"/internal/oauth/github", url.Values{"code": {code}})
	if err != nil {
		return id, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return id, http.ErrNoCookie
	}
	err = json.NewDecoder(res.Body).Decode(&id)
	return id, err
}

func (e *Env) oauthCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	next, err := e.sessions.GetString("oauth-state:"+state, nil)
	if err != nil {
		http.Error(w, "login unavailable", http.StatusServiceUnavailable)
		return
	}
	if next == missing {
		http.Error(w, "login expired, please try again", http.StatusBadRequest)
		return
	}
	if err := e.sessions.Delete("oauth-state:" + state); err != nil { // EXPECT kvsession
		http.Error(w, "login unavailable", http.StatusServiceUnavailable)
		return
	}
	id, err := e.exchange(r, q.Get("code"))
	if err != nil {
		http.Error(w, "GitHub login failed", http.StatusBadGateway)
		return
	}
	s := session{ID: randomID(), UserID: id.UserID, Tenant: id.Tenant, Login: id.Login, CreatedAt: time.Now().Unix()}
	body, _ := json.Marshal(s)
	if err := e.sessions.PutString("sess:"+s.ID, string(body), &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil {
		http.Error(w, "login unavailable", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s.ID, Path: "/", MaxAge: sessionTTL,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, next, http.StatusFound)
}

// requireSession loads the session of the request and keeps it alive for
// another sessionTTL.
func (e *Env) requireSession(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Redirect(w, r, "/auth/login?next="+url.QueryEscape(r.URL.Path), http.StatusFound)
			return
		}
		raw, err := e.sessions.GetString("sess:"+c.Value, nil)
		if err != nil {
			http.Error(w, "session lookup failed", http.StatusServiceUnavailable)
			return
		}
		if raw == missing {
			http.Redirect(w, r, "/auth/login?next="+url.QueryEscape(r.URL.Path), http.StatusFound)
			return
		}
		var s session
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			http.Error(w, "session corrupt", http.StatusInternalServerError)
			return
		}
		if err := e.sessions.PutString("sess:"+c.Value, raw, &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil { // EXPECT kvsession|kvrace
			http.Error(w, "session refresh failed", http.StatusServiceUnavailable)
			return
		}
		h(w, r, &s)
	}
}

func (e *Env) logout(w http.ResponseWriter, r *http.Request, s *session) {
	if err := e.sessions.Delete("sess:" + s.ID); err != nil { // EXPECT kvsession
		http.Error(w, "logout failed", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusFound)
}

// sessionInfo backs the dashboard SPA: who is signed in, a fresh CSRF
// token for its forms, and the tenant's flags.
func (e *Env) sessionInfo(w http.ResponseWriter, r *http.Request, s *session) {
	raw, err := e.flags.GetString("flags:tenant:"+s.Tenant, &kv.GetOptions{CacheTTL: 120}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "flags unavailable", http.StatusServiceUnavailable)
		return
	}
	var flags map[string]bool
	if err := json.Unmarshal([]byte(raw), &flags); err != nil {
		http.Error(w, "flags corrupt", http.StatusInternalServerError)
		return
	}
	token := randomID()
	if err := e.sessions.PutString("csrf:"+token, s.ID, &kv.PutOptions{ExpirationTTL: csrfTTL}); err != nil {
		http.Error(w, "dashboard unavailable", http.StatusServiceUnavailable)
		return
	}
	flash, _ := e.sessions.GetString("flash:"+s.ID, nil)
	if flash == missing {
		flash = ""
	}
	writeJSON(w, http.StatusOK, map[string]any{"login": s.Login, "tenant": s.Tenant, "csrf": token, "flags": flags, "flash": flash})
}

func (e *Env) saveSettings(w http.ResponseWriter, r *http.Request, s *session) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	token := r.PostForm.Get("csrf")
	owner, err := e.sessions.GetString("csrf:"+token, nil)
	if err != nil || owner != s.ID {
		http.Error(w, "form expired, reload the page", http.StatusForbidden)
		return
	}
	if err := e.sessions.Delete("csrf:" + token); err != nil { // EXPECT kvsession
		http.Error(w, "settings unavailable", http.StatusServiceUnavailable)
		return
	}
	_, err = e.db.ExecContext(r.Context(), `INSERT INTO tenant_settings (tenant, preview_ttl_hours, updated_by)
		VALUES (?, ?, ?)
		ON CONFLICT (tenant) DO UPDATE SET preview_ttl_hours = excluded.preview_ttl_hours, updated_by = excluded.updated_by`,
		s.Tenant, r.PostForm.Get("preview_ttl_hours"), s.UserID)
	if err != nil {
		http.Error(w, "settings not saved", http.StatusInternalServerError)
		return
	}
	_ = e.sessions.PutString("flash:"+s.ID, "Settings saved.", &kv.PutOptions{
		Expiration: int(time.Now().Add(10 * time.Minute).UnixMilli()), // EXPECT kvttl
	})
	w.WriteHeader(http.StatusNoContent)
}
