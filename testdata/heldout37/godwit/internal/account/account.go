// Package account signs shoppers in with a magic link and keeps their
// sessions and the mobile app's refresh tokens in the AUTH namespace.
package account

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"godwit/internal/config"
	"godwit/internal/kvstore"
	"godwit/internal/web"
)

const cookieName = "gw_sid"

// Session is a signed-in shopper.
type Session struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RefreshToken lets the mobile app get a new session without signing in again.
type RefreshToken struct {
	ID        string    `json:"id"`
	Family    string    `json:"family"`
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expires_at"`
}

var (
	sessKey    = kvstore.Key("sess")
	magicKey   = kvstore.Key("magic")
	refreshKey = kvstore.Key("refresh")
	revokedKey = kvstore.Key("revoked").Child("sessions")
)

// Handler serves sign-in, sign-out and token refresh.
type Handler struct {
	auth kvstore.Namespace
	log  *slog.Logger
}

// NewHandler scopes base to the auth keys.
func NewHandler(base kvstore.Namespace, log *slog.Logger, m *kvstore.Metrics) *Handler {
	return &Handler{auth: kvstore.Stack(base, kvstore.WithPrefix("auth:"), kvstore.WithMetrics(m)), log: log}
}

// Register adds the account routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /login/magic", h.sendMagicLink)
	mux.HandleFunc("GET /login/magic/{token}", h.redeemMagicLink)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("POST /token/refresh", h.refresh)
}

func (h *Handler) sendMagicLink(w http.ResponseWriter, r *http.Request) {
	email := r.FormValue("email")
	token := web.NewID()
	if err := h.auth.Put(r.Context(), magicKey.Child(token), email, config.MagicLinkTTL); err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	h.log.InfoContext(r.Context(), "magic link issued", "email", email, "link", "/login/magic/"+token)
	w.WriteHeader(http.StatusAccepted)
}

func (h *Handler) redeemMagicLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := magicKey.Child(r.PathValue("token"))
	email, err := h.auth.Get(ctx, key)
	if err != nil || email == kvstore.Missing {
		web.Fail(w, r, http.StatusGone, err)
		return
	}
	if err := h.auth.Delete(ctx, key); err != nil { // EXPECT kvsession
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	now := time.Now()
	s := Session{ID: web.NewID(), Email: email, CreatedAt: now, ExpiresAt: now.Add(config.SessionTTL)}
	if err := kvstore.Save(ctx, h.auth, sessKey.Child(s.ID), s, kvstore.JSON[Session]{}, config.SessionTTL); err != nil { // DEBATABLE kvsession
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.ID, Path: "/", HttpOnly: true, Secure: true, Expires: s.ExpiresAt})
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := r.Cookie(cookieName)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := h.auth.Delete(ctx, sessKey.Child(c.Value)); err != nil { // EXPECT kvsession
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	if err := h.revoke(ctx, c.Value); err != nil {
		h.log.WarnContext(ctx, "revocation list not updated", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// revoke adds sid to the signed-out sessions that the API gateway refuses
// until they would have expired anyway.
func (h *Handler) revoke(ctx context.Context, sid string) error {
	raw, err := h.auth.Get(ctx, revokedKey)
	if err != nil {
		return err
	}
	var ids []string
	if raw != kvstore.Missing {
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return err
		}
	}
	ids = append(ids, sid)
	b, err := json.Marshal(ids[max(0, len(ids)-500):])
	if err != nil {
		return err
	}
	return h.auth.Put(ctx, revokedKey, string(b), config.SessionTTL) // EXPECT kvsession
}

// refresh rotates a refresh token: the old one is burnt, the new one keeps
// the family's expiry.
func (h *Handler) refresh(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	old := refreshKey.Child(r.FormValue("refresh_token"))
	rt, err := kvstore.Load(ctx, h.auth, old, kvstore.JSON[RefreshToken]{})
	now := time.Now()
	if err != nil || rt.ID == "" || now.After(rt.ExpiresAt) {
		web.Fail(w, r, http.StatusUnauthorized, err)
		return
	}
	next := RefreshToken{ID: web.NewID(), Family: rt.Family, Email: rt.Email, ExpiresAt: rt.ExpiresAt}
	ttl := rt.ExpiresAt.Sub(now) // EXPECT kvttl
	if err := kvstore.Save(ctx, h.auth, refreshKey.Child(next.ID), next, kvstore.JSON[RefreshToken]{}, ttl); err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	if err := h.auth.Delete(ctx, old); err != nil { // EXPECT kvsession
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"refresh_token": next.ID})
}
