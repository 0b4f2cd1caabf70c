//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare"

	"bobolink/internal/clock"
	"bobolink/internal/edgekv"
	"bobolink/internal/kvkeys"
)

const sessionCookie = "bb_sess"

// Session is a preference-center session opened with a magic link.
type Session struct {
	store *edgekv.Store
	clock clock.Clock
	idle  time.Duration

	ID       string    `json:"-"`
	Tenant   string    `json:"tenant"`
	Email    string    `json:"email"`
	Lists    []string  `json:"lists"`
	Selected []string  `json:"selected,omitempty"`
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

type sessions struct {
	store *edgekv.Store
	clock clock.Clock
	idle  time.Duration
}

func (d Deps) sessions() sessions {
	return sessions{store: d.Sessions, clock: d.Clock, idle: d.SessionIdle}
}

// Start opens a new session.
func (ss sessions) Start(ctx context.Context, tenant, email string, lists []string) (*Session, error) {
	now := ss.clock.Now().UTC()
	s := &Session{
		store: ss.store, clock: ss.clock, idle: ss.idle,
		ID: newToken(), Tenant: tenant, Email: email, Lists: lists,
		CSRF: newToken(), Created: now, LastSeen: now,
	}
	return s, s.Save(ctx) // DEBATABLE kvsession
}

// Find loads a session by ID.
func (ss sessions) Find(ctx context.Context, id string) (*Session, error) {
	raw, err := ss.store.Get(ctx, kvkeys.SessionKey(id))
	if err != nil {
		return nil, err
	}
	s := &Session{store: ss.store, clock: ss.clock, idle: ss.idle, ID: id}
	if err := json.Unmarshal([]byte(raw), s); err != nil {
		return nil, err
	}
	return s, nil
}

// Save writes the session with the idle timeout as its TTL.
func (s *Session) Save(ctx context.Context) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, kvkeys.SessionKey(s.ID), string(b), s.idle)
}

// Touch extends the session by the idle timeout.
func (s *Session) Touch(ctx context.Context) error {
	s.LastSeen = s.clock.Now().UTC()
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	opts := &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(s.idle), // EXPECT kvttl
	}
	return s.store.Namespace().PutString(kvkeys.SessionKey(s.ID).String(), string(b), opts) // EXPECT kvsession
}

// Destroy ends the session.
func (s *Session) Destroy(ctx context.Context) error {
	return s.store.Delete(ctx, kvkeys.SessionKey(s.ID)) // EXPECT kvsession
}

// requireSession loads the caller's session and slides its expiry.
func (d Deps) requireSession(w http.ResponseWriter, r *http.Request, t *edgekv.Tenant) (*Session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil, false
	}
	s, err := d.sessions().Find(r.Context(), c.Value)
	if errors.Is(err, edgekv.ErrNotFound) || (err == nil && s.Tenant != t.ID) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil, false
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return nil, false
	}
	if err := s.Touch(r.Context()); err != nil {
		d.Log.Warn("touch session", "err", err)
	}
	return s, true
}

type magicLink struct {
	Tenant string    `json:"tenant"`
	Email  string    `json:"email"`
	Lists  []string  `json:"lists"`
	Issued time.Time `json:"issued"`
}

func handleMagicRequest(d Deps) http.HandlerFunc {
	ttl := clock.Duration(d.Env, "MAGIC_LINK_TTL", 15*time.Minute)
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		email := r.FormValue("email")
		tok := newToken()
		now := d.Clock.Now()
		b, _ := json.Marshal(magicLink{Tenant: t.ID, Email: email, Lists: r.Form["list"], Issued: now.UTC()})
		if err := d.Tokens.PutUntil(ctx, kvkeys.TokenKey{Kind: kvkeys.KindMagicLink, ID: tok}, string(b), now.Add(ttl)); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if err := d.enqueueMail(mailJob{Template: "magic-link", Tenant: t.ID, To: email, Link: "https://" + t.Host + "/login/" + tok}); err != nil {
			d.Log.Error("enqueue magic link", "err", err)
		}
		// Same answer whether or not the address is known.
		w.WriteHeader(http.StatusAccepted)
	}
}

func handleMagicRedeem(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		key := kvkeys.TokenKey{Kind: kvkeys.KindMagicLink, ID: r.PathValue("token")}
		raw, err := d.Tokens.Get(ctx, key)
		if errors.Is(err, edgekv.ErrNotFound) {
			http.Error(w, "this sign-in link has expired", http.StatusGone)
			return
		}
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		var ml magicLink
		if err := json.Unmarshal([]byte(raw), &ml); err != nil || ml.Tenant != t.ID {
			http.Error(w, "invalid link", http.StatusBadRequest)
			return
		}
		if err := d.Tokens.Delete(ctx, key); err != nil { // EXPECT kvsession
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		s, err := d.sessions().Start(ctx, ml.Tenant, ml.Email, ml.Lists)
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		http.SetCookie(w, &http.Cookie{
			Name: sessionCookie, Value: s.ID, Path: "/", HttpOnly: true, Secure: true,
			SameSite: http.SameSiteLaxMode, MaxAge: int(d.SessionIdle.Seconds()),
		})
		http.Redirect(w, r, "/prefs", http.StatusSeeOther)
	}
}

func handleLogout(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		s, ok := d.requireSession(w, r, t)
		if !ok {
			return
		}
		if r.FormValue("csrf") != s.CSRF {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if err := s.Destroy(r.Context()); err != nil {
			d.Log.Warn("logout", "err", err)
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
}

type oauthState struct {
	Tenant   string `json:"tenant"`
	Return   string `json:"return"`
	Verifier string `json:"verifier"`
}

// handleOAuthStart begins connecting a tenant's Mailchimp account for list
// imports.
func handleOAuthStart(d Deps) http.HandlerFunc {
	clientID := d.Env("MAILCHIMP_CLIENT_ID")
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		state := newToken()
		b, _ := json.Marshal(oauthState{Tenant: t.ID, Return: r.URL.Query().Get("return"), Verifier: newToken()})
		err := d.Tokens.Namespace().PutString(kvkeys.TokenKey{Kind: kvkeys.KindOAuth, ID: state}.String(), string(b), &cloudflare.KVNamespacePutOptions{
			Expiration: int(d.Clock.Now().Add(10 * time.Minute).UnixMilli()), // EXPECT kvttl
		})
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		q := url.Values{
			"response_type": {"code"},
			"client_id":     {clientID},
			"redirect_uri":  {"https://" + t.Host + "/connect/mailchimp/callback"},
			"state":         {state},
		}
		http.Redirect(w, r, "https://login.mailchimp.com/oauth2/authorize?"+q.Encode(), http.StatusFound)
	}
}

func handleOAuthCallback(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		key := kvkeys.TokenKey{Kind: kvkeys.KindOAuth, ID: r.URL.Query().Get("state")}
		raw, err := d.Tokens.Namespace().GetString(key.String(), nil) // EXPECT kvnull
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		var st oauthState
		if err := json.Unmarshal([]byte(raw), &st); err != nil || st.Tenant != t.ID {
			http.Error(w, "invalid state", http.StatusBadRequest)
			return
		}
		defer d.Tokens.Delete(ctx, key) // EXPECT kvsession

		conn := map[string]string{
			"provider":  "mailchimp",
			"code":      r.URL.Query().Get("code"),
			"verifier":  st.Verifier,
			"connected": d.Clock.Now().UTC().Format(time.RFC3339),
		}
		b, _ := json.Marshal(conn)
		if err := t.KV.Put(ctx, kvkeys.Static("connector/mailchimp"), string(b), 0); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, st.Return, http.StatusSeeOther)
	}
}
