// Package portal serves the developer portal's JSON API.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/pelicanhq/pelican/internal/keys"
	"github.com/pelicanhq/pelican/internal/kvstore"
	"github.com/pelicanhq/pelican/internal/loaders"
	"github.com/pelicanhq/pelican/internal/models"
)

const (
	cookieName      = "pelican_sid"
	sessionLifetime = 12 * time.Hour
	maxLoginFails   = 5
	portalPageSize  = 5
)

// OAuthExchanger trades an authorization code for the user's identity.
type OAuthExchanger interface {
	Exchange(ctx context.Context, code string) (email string, expiry time.Time, err error)
}

// Handler serves portal routes.
type Handler struct {
	DB    *gorm.DB
	Store *kvstore.Store
	Keys  *keys.Service
	OAuth OAuthExchanger
}

// Routes mounts the portal on a chi router.
func (h *Handler) Routes() chi.Router {
	r := chi.NewRouter()
	r.Post("/signup", h.signup)
	r.Post("/login", h.login)
	r.Post("/logout", h.logout)
	r.Get("/me", h.me)
	r.Put("/me/prefs", h.prefs)
	r.Get("/verify/{token}", h.verify)
	r.Get("/oauth/github/start", h.oauthStart)
	r.Get("/oauth/github/callback", h.oauthCallback)
	r.Post("/password", h.changePassword)
	r.Get("/keys", h.listKeys)
	r.Get("/sessions", h.listSessions)
	r.Get("/dashboard", h.dashboard)
	r.Get("/docs/{slug}", h.doc)
	r.Post("/webhooks/billing", h.billingWebhook)
	return r
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type signupRequest struct {
	Email    string `json:"email"`
	Slug     string `json:"slug"`
	Password string `json:"password"`
}

func (h *Handler) signup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req signupRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	limitKey := "ratelimit:signup:" + clientIP(r)
	if _, err := h.Store.Get(ctx, limitKey); err == nil {
		http.Error(w, "too many signups", http.StatusTooManyRequests)
		return
	}
	if err := h.Store.Put(ctx, limitKey, []byte("1"), 10*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	dev := models.Developer{Email: strings.ToLower(req.Email), Slug: req.Slug, PasswordHash: hashPassword(req.Password), PlanCode: "free"}
	err := h.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&dev).Error; err != nil {
			return err
		}
		return tx.Create(&models.EmailVerification{Token: randomID(24), DeveloperID: dev.ID, Email: dev.Email}).Error
	})
	if errors.Is(err, models.ErrSlugTaken) {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, "signup failed", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": dev.ID})
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req loginRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	attemptsKey := "login_attempts:" + strings.ToLower(req.Email)
	fails := 0
	raw, err := h.Store.Get(ctx, attemptsKey) // EXPECT kvnull
	if err == nil {
		fails, _ = strconv.Atoi(string(raw))
	}
	if fails >= maxLoginFails {
		http.Error(w, "account locked, try later", http.StatusTooManyRequests)
		return
	}
	var dev models.Developer
	if err := h.DB.WithContext(ctx).Where("email = ?", strings.ToLower(req.Email)).First(&dev).Error; err != nil ||
		dev.PasswordHash != hashPassword(req.Password) {
		_ = h.Store.Put(ctx, attemptsKey, []byte(strconv.Itoa(fails+1)), 15*time.Minute) // EXPECT kvcounter|kvrace
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	h.startSession(w, r, dev.ID, time.Now().Add(sessionLifetime))
}

// startSession creates a session row (mirrored to KV by the model hook) and
// a CSRF token for it.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, devID uint, expires time.Time) {
	ctx := r.Context()
	sess := models.Session{
		ID:          fmt.Sprintf("%d:%s", devID, randomID(24)),
		DeveloperID: devID,
		UserAgent:   r.UserAgent(),
		LastSeenAt:  time.Now(),
		ExpiresAt:   expires,
	}
	if err := h.DB.WithContext(ctx).Create(&sess).Error; err != nil {
		http.Error(w, "session failed", http.StatusInternalServerError)
		return
	}
	csrf := randomID(18)
	if err := h.Store.Put(ctx, "csrf:"+sess.ID, []byte(csrf), sessionLifetime); err != nil {
		http.Error(w, "session failed", http.StatusInternalServerError)
		return
	}
	if r.URL.Query().Get("remember") == "1" {
		device := randomID(24)
		ttl := max(time.Until(expires), time.Minute)
		if err := h.Store.Put(ctx, "device:"+device, []byte(strconv.FormatUint(uint64(devID), 10)), ttl); err == nil {
			http.SetCookie(w, &http.Cookie{Name: "pelican_device", Value: device, Path: "/", HttpOnly: true, Secure: true, Expires: expires})
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, Expires: expires})
	writeJSON(w, http.StatusOK, map[string]string{"csrf": csrf})
}

func (h *Handler) sessionID(r *http.Request) string {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return ""
	}
	return c.Value
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sid := h.sessionID(r)
	if sid == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := h.DB.WithContext(ctx).Delete(&models.Session{ID: sid}).Error; err != nil {
		http.Error(w, "logout failed", http.StatusInternalServerError)
		return
	}
	_ = h.Store.Delete(ctx, "csrf:"+sid) // EXPECT kvsession
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) loadEdgeSession(ctx context.Context, sid string) (*models.EdgeSession, error) {
	var es models.EdgeSession
	if err := h.Store.GetJSON(ctx, "sess:"+sid, &es); err != nil {
		return nil, err
	}
	if es.ExpiresAt.Before(time.Now()) {
		return nil, kvstore.ErrNotFound
	}
	return &es, nil
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	es, err := h.loadEdgeSession(r.Context(), h.sessionID(r))
	if errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, es)
}

func (h *Handler) prefs(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sid := h.sessionID(r)
	es, err := h.loadEdgeSession(ctx, sid)
	if err != nil {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	defer func() {
		_ = h.Store.PutJSON(ctx, "sess:"+sid, es, sessionLifetime) // EXPECT kvsession|kvrace
	}()
	var body struct {
		Theme string `json:"theme"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	es.Theme = body.Theme
	writeJSON(w, http.StatusOK, es)
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := chi.URLParam(r, "token")
	var rec struct {
		Dev   uint   `json:"dev"`
		Email string `json:"email"`
	}
	if err := h.Store.GetJSON(ctx, "verify:"+token, &rec); err != nil {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	now := time.Now()
	if err := h.DB.WithContext(ctx).Model(&models.Developer{}).Where("id = ? AND email = ?", rec.Dev, rec.Email).
		Update("verified_at", &now).Error; err != nil {
		http.Error(w, "verification failed", http.StatusInternalServerError)
		return
	}
	_ = h.Store.Delete(ctx, "verify:"+token) // EXPECT kvsession
	writeJSON(w, http.StatusOK, map[string]bool{"verified": true})
}

func (h *Handler) oauthStart(w http.ResponseWriter, r *http.Request) {
	state := randomID(16)
	if err := h.Store.Put(r.Context(), "oauth_state:"+state, []byte(clientIP(r)), 10*time.Minute); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "https://github.com/login/oauth/authorize?client_id=pelican&state="+state, http.StatusFound)
}

func (h *Handler) oauthCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	if _, err := h.Store.Get(ctx, "oauth_state:"+state); err != nil {
		http.Error(w, "invalid state", http.StatusBadRequest)
		return
	}
	if err := h.Store.Delete(ctx, "oauth_state:"+state); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	email, expiry, err := h.OAuth.Exchange(ctx, r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, "oauth failed", http.StatusBadGateway)
		return
	}
	var dev models.Developer
	if err := h.DB.WithContext(ctx).Where("email = ?", strings.ToLower(email)).First(&dev).Error; err != nil {
		http.Error(w, "no such developer", http.StatusForbidden)
		return
	}
	h.startSession(w, r, dev.ID, expiry)
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	es, err := h.loadEdgeSession(ctx, h.sessionID(r))
	if err != nil {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	var body struct {
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Password) < 12 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := h.DB.WithContext(ctx).Model(&models.Developer{}).Where("id = ?", es.DeveloperID).
		Update("password_hash", hashPassword(body.Password)).Error; err != nil {
		http.Error(w, "update failed", http.StatusInternalServerError)
		return
	}
	prefix := fmt.Sprintf("sess:%d:", es.DeveloperID)
	sessions, _, err := h.Store.ListPage(ctx, prefix, "", 0) // EXPECT kvlist
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	for _, k := range sessions {
		if k.Name == "sess:"+h.sessionID(r) {
			continue
		}
		_ = h.Store.Delete(ctx, k.Name) // EXPECT kvsession
	}
	w.WriteHeader(http.StatusNoContent)
}

// listSessions shows the developer's signed-in devices.
func (h *Handler) listSessions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	es, err := h.loadEdgeSession(ctx, h.sessionID(r))
	if err != nil {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	var sessions []models.Session
	if err := h.DB.WithContext(ctx).Where("developer_id = ? AND expires_at > ?", es.DeveloperID, time.Now()).
		Order("last_seen_at DESC").Limit(20).Find(&sessions).Error; err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	type row struct {
		Current   bool      `json:"current"`
		UserAgent string    `json:"user_agent"`
		LastSeen  time.Time `json:"last_seen"`
	}
	out := make([]row, len(sessions))
	for i, s := range sessions {
		out[i] = row{Current: s.ID == h.sessionID(r), UserAgent: s.UserAgent, LastSeen: s.LastSeenAt}
	}
	writeJSON(w, http.StatusOK, out)
}

// listKeys returns one page of the developer's published keys and the cursor
// of the next page.
func (h *Handler) listKeys(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	es, err := h.loadEdgeSession(ctx, h.sessionID(r))
	if err != nil {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	prefix := fmt.Sprintf("audit:%d:", es.DeveloperID)
	page, next, err := h.Store.ListPage(ctx, prefix, r.URL.Query().Get("cursor"), portalPageSize) // EXPECT kvlimits
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	names := make([]string, len(page))
	for i, k := range page {
		names[i] = strings.TrimPrefix(k.Name, prefix)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": names, "cursor": next})
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	es, err := h.loadEdgeSession(ctx, h.sessionID(r))
	if err != nil {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	res := &loaders.Resolver{DB: h.DB, Store: h.Store, L: loaders.New(h.Store)}
	rows, err := res.DeveloperKeys(ctx, es.DeveloperID)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, rows)
}

func (h *Handler) doc(w http.ResponseWriter, r *http.Request) {
	res := &loaders.Resolver{DB: h.DB, Store: h.Store, L: loaders.New(h.Store)}
	page, err := res.Doc(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

type billingEvent struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	DeveloperID uint   `json:"developer_id"`
	Plan        string `json:"plan"`
}

func (h *Handler) billingWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var ev billingEvent
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if ev.Type == "subscription.updated" {
		if err := h.Keys.ChangePlan(ctx, ev.DeveloperID, ev.Plan); err != nil {
			http.Error(w, "retry", http.StatusInternalServerError)
			return
		}
	}
	if err := h.Store.Put(ctx, "billing:last_event", []byte(ev.ID), 0); err != nil { // EXPECT kvhotkey
		http.Error(w, "retry", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
