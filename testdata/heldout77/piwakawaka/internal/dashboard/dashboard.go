// Package dashboard serves the web dashboard's sign-in, sessions and
// settings.
package dashboard

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kereru-ci/piwakawaka/internal/kvstore"
)

// Session is a signed-in dashboard user.
type Session struct {
	ID       string    `json:"-"`
	User     string    `json:"user"`
	GitHubID int64     `json:"github_id"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Dashboard holds the dashboard's handlers.
type Dashboard struct {
	Sessions *kvstore.Store // SESSIONS namespace
	ClientID string
	Redirect string
	// Exchange trades an OAuth code for the GitHub user.
	Exchange func(ctx context.Context, code string) (login string, id int64, err error)
}

const (
	cookieName     = "pwk_session"
	rememberCookie = "pwk_remember"
	stateTTL       = 10 * time.Minute
	sessionTTL     = 12 * time.Hour
	csrfTTL        = time.Hour
	rememberMaxAge = 30 * 24 * 60 * 60
)

var errNoSession = errors.New("dashboard: not signed in")

// Login handles GET /login and sends the browser to GitHub.
func (d *Dashboard) Login(w http.ResponseWriter, r *http.Request) {
	state := rand.Text()
	next := cmp.Or(r.URL.Query().Get("next"), "/")
	if err := d.Sessions.PutTTL(r.Context(), "oauth/state/"+state, []byte(next), stateTTL); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	q := url.Values{"client_id": {d.ClientID}, "redirect_uri": {d.Redirect}, "state": {state}}
	http.Redirect(w, r, "https://github.com/login/oauth/authorize?"+q.Encode(), http.StatusFound)
}

// Callback handles GET /login/callback.
func (d *Dashboard) Callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	next, err := d.Sessions.Get(ctx, "oauth/state/"+state)
	if errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "unknown or expired login attempt", http.StatusBadRequest)
		return
	} else if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if err := d.Sessions.Delete(ctx, "oauth/state/"+state); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	login, id, err := d.Exchange(ctx, r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, "GitHub sign-in failed", http.StatusBadGateway)
		return
	}

	now := time.Now().UTC()
	s := Session{ID: rand.Text(), User: login, GitHubID: id, Created: now, LastSeen: now}
	b, _ := json.Marshal(s)
	if err := d.Sessions.PutTTL(ctx, "sessions/"+s.ID, b, sessionTTL); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})

	if r.URL.Query().Get("remember") == "1" {
		rc := &http.Cookie{Name: rememberCookie, Value: rand.Text(), Path: "/", MaxAge: rememberMaxAge, HttpOnly: true, Secure: true}
		if err := d.Sessions.PutTTL(ctx, "remember/"+rc.Value, []byte(strconv.FormatInt(id, 10)), time.Duration(rc.MaxAge)*time.Second); err == nil {
			http.SetCookie(w, rc)
		}
	}
	http.Redirect(w, r, string(next), http.StatusFound)
}

// current loads the caller's session and pushes its expiry forward.
func (d *Dashboard) current(r *http.Request) (*Session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, errNoSession
	}
	ctx := r.Context()
	var s Session
	if err := d.Sessions.GetJSON(ctx, "sessions/"+c.Value, &s); errors.Is(err, kvstore.ErrNotFound) {
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	s.ID = c.Value
	s.LastSeen = time.Now().UTC()
	b, _ := json.Marshal(s)
	if err := d.Sessions.PutTTL(ctx, "sessions/"+s.ID, b, sessionTTL); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return &s, nil
}

// Logout handles POST /logout.
func (d *Dashboard) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		if err := d.Sessions.Delete(r.Context(), "sessions/"+c.Value); err != nil { // EXPECT kvsession
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

var settingsForm = template.Must(template.New("settings").Parse(`<form hx-post="/settings" hx-swap="outerHTML">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label>Notify on failure <input type="checkbox" name="notify" {{if .Notify}}checked{{end}}></label>
<button>Save</button>
</form>`))

type prefs struct {
	Notify bool `json:"notify"`
}

// SettingsForm handles GET /settings and renders the form with a fresh CSRF
// token.
func (d *Dashboard) SettingsForm(w http.ResponseWriter, r *http.Request) {
	s, err := d.current(r)
	if err != nil {
		http.Redirect(w, r, "/login?next=/settings", http.StatusFound)
		return
	}
	ctx := r.Context()
	var p prefs
	if err := d.Sessions.GetJSON(ctx, fmt.Sprintf("users/%d/prefs", s.GitHubID), &p); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	tok := rand.Text()
	if err := d.Sessions.PutTTL(ctx, "csrf/"+s.ID, []byte(tok), csrfTTL); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	_ = settingsForm.Execute(w, struct {
		CSRF   string
		Notify bool
	}{tok, p.Notify})
}

// SaveSettings handles POST /settings.
func (d *Dashboard) SaveSettings(w http.ResponseWriter, r *http.Request) {
	s, err := d.current(r)
	if err != nil {
		http.Error(w, "sign in again", http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	want, err := d.Sessions.Get(ctx, "csrf/"+s.ID)
	if err != nil || subtle.ConstantTimeCompare(want, []byte(r.FormValue("csrf"))) != 1 {
		http.Error(w, "form expired, reload the page", http.StatusForbidden)
		return
	}
	b, _ := json.Marshal(prefs{Notify: r.FormValue("notify") == "on"})
	if err := d.Sessions.Put(ctx, fmt.Sprintf("users/%d/prefs", s.GitHubID), b, nil); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("HX-Trigger", "settings-saved")
	w.WriteHeader(http.StatusNoContent)
}
