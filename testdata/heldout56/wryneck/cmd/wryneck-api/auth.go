package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"wryneck/internal/newsletter"
	"wryneck/internal/opt"
)

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

const sessionCookie = "wry_admin"

// loginHandler signs an operator in to the admin console.
type loginHandler struct {
	store    newsletter.Store
	verifier func(ctx context.Context, user, pass string) (string, error)
}

func (h loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	operator, err := h.verifier(r.Context(), r.FormValue("user"), r.FormValue("password"))
	if err != nil {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	sess := newsletter.AdminSession{ID: randomID(32), Operator: operator, CreatedAt: time.Now().UTC()}
	b, _ := json.Marshal(sess)
	if err := h.store.Put(r.Context(), newsletter.KindAdminSession.Key(sess.ID), b, newsletter.KindAdminSession.Options()); err != nil { // DEBATABLE kvsession
		http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, HttpOnly: true, Secure: true, Path: "/admin"})
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
}

// logoutHandler ends an admin session.
type logoutHandler struct {
	store newsletter.Store
}

func (h logoutHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err == nil {
		if err := h.store.Delete(r.Context(), newsletter.KindAdminSession.Key(c.Value)); err != nil { // EXPECT kvsession
			http.Error(w, "logout failed", http.StatusBadGateway)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, MaxAge: -1, Path: "/admin"})
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

// passwordHandler changes an operator's password and revokes the sessions
// that were open at the time.
type passwordHandler struct {
	store  newsletter.Store
	change func(ctx context.Context, operator, pass string) error
	lookup func(ctx context.Context, operator string) ([]string, error)
}

func (h passwordHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	operator := r.FormValue("operator")
	if err := h.change(r.Context(), operator, r.FormValue("password")); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ids, err := h.lookup(r.Context(), operator)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	revokedAt, _ := json.Marshal(map[string]any{"revoked_at": time.Now().UTC(), "operator": operator})
	for _, id := range ids {
		if err := h.store.Put(r.Context(), "revoked:"+id, revokedAt, newsletter.PutOptions{TTL: opt.Ptr(12 * time.Hour)}); err != nil { // EXPECT kvsession
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// tokenHandler rotates API refresh tokens for sending integrations.
type tokenHandler struct {
	store newsletter.Store
}

type refreshRecord struct {
	ClientID string    `json:"client_id"`
	Issued   time.Time `json:"issued"`
}

func (h tokenHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	old := r.FormValue("refresh_token")
	raw, err := h.store.Get(ctx, newsletter.KindRefresh.Key(old))
	if errors.Is(err, newsletter.ErrNotFound) {
		http.Error(w, "invalid_grant", http.StatusBadRequest)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var rec refreshRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		http.Error(w, "invalid_grant", http.StatusBadRequest)
		return
	}
	next := randomID(32)
	b, _ := json.Marshal(refreshRecord{ClientID: rec.ClientID, Issued: time.Now().UTC()})
	if err := h.store.Put(ctx, newsletter.KindRefresh.Key(next), b, newsletter.KindRefresh.Options()); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := h.store.Delete(ctx, newsletter.KindRefresh.Key(old)); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"refresh_token": next, "access_token": randomID(24)})
}

// oauthHandler connects a sender's ESP account (OAuth authorization code
// flow); the state parameter is kept in KV between the redirect and the
// callback.
type oauthHandler struct {
	store        newsletter.Store
	authorizeURL string
	exchange     func(ctx context.Context, code string) error
}

func (h oauthHandler) start(w http.ResponseWriter, r *http.Request) {
	state := randomID(16)
	b, _ := json.Marshal(map[string]string{"sender": r.PathValue("sender")})
	if err := h.store.Put(r.Context(), "oauth-state:"+state, b, newsletter.PutOptions{TTL: opt.Ptr(10 * time.Minute)}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, h.authorizeURL+"&state="+state, http.StatusFound)
}

func (h oauthHandler) callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	if _, err := h.store.Get(ctx, "oauth-state:"+state); err != nil {
		http.Error(w, "unknown state", http.StatusBadRequest)
		return
	}
	if err := h.store.Delete(ctx, "oauth-state:"+state); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := h.exchange(ctx, r.URL.Query().Get("code")); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "/admin/senders", http.StatusSeeOther)
}

func (h oauthHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("code") {
		h.callback(w, r)
		return
	}
	h.start(w, r)
}
