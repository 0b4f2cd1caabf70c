package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shortlinks/internal/accounts"
	"example.com/shortlinks/internal/analytics"
	"example.com/shortlinks/internal/auth"
	"example.com/shortlinks/internal/flags"
	"example.com/shortlinks/internal/keys"
	"example.com/shortlinks/internal/links"
	"example.com/shortlinks/internal/qr"
	"example.com/shortlinks/internal/ratelimit"
	"example.com/shortlinks/internal/store"
)

// Deps is everything the HTTP layer needs; main fills it in.
type Deps struct {
	Links     *links.Service
	Auth      *auth.Service
	Accounts  *accounts.Service
	Store     store.Store
	NS        *kv.Namespace
	Recorder  *analytics.Recorder
	Quota     *analytics.Quota
	QR        *qr.Store
	Flags     *flags.Flags
	Limiter   *ratelimit.Limiter
	Gate      *SessionGate
	Enqueue   func(analytics.ClickEvent) error
	WaitUntil func(func())
	Log       *slog.Logger
	Cookie    string
}

type Handler struct {
	Deps
	touch func(key, value string, opts *kv.PutOptions) error
}

func New(d Deps) http.Handler {
	h := &Handler{Deps: d, touch: d.NS.PutString}
	mux := http.NewServeMux()
	limited := d.Limiter.Middleware(ClientIP)
	mux.HandleFunc("GET /{$}", h.root)
	mux.Handle("GET /{slug}", limited(http.HandlerFunc(h.redirect)))
	mux.HandleFunc("GET /p/{slug}", h.preview)
	mux.HandleFunc("GET /qr/{slug}", h.qrSVG)
	mux.HandleFunc("GET /healthz", h.health)
	mux.Handle("POST /login", limited(http.HandlerFunc(h.login)))
	mux.HandleFunc("GET /login/callback", h.callback)
	mux.HandleFunc("POST /logout", d.Gate.Logout)

	api := map[string]http.HandlerFunc{
		"POST /api/links":              h.createLink,
		"GET /api/links/{slug}/stats":  h.stats,
		"POST /api/links/{slug}/tags":  h.addTag,
		"POST /api/workspace":          h.switchWorkspace,
		"POST /api/keys":               h.createKey,
		"DELETE /api/keys/{id}":        h.revokeKey,
		"POST /api/sessions/terminate": h.logoutEverywhere,
	}
	for pattern, fn := range api {
		mux.Handle(pattern, d.Gate.Require(fn))
	}
	mux.Handle("POST /v1/links", h.apiKeyAuth(http.HandlerFunc(h.createLink)))
	return Chain(mux, Recover(d.Log), AccessLog(d.Log))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *Handler) root(w http.ResponseWriter, r *http.Request) {
	target, ok, err := h.Store.Get(r.Context(), keys.RootSlug) // EXPECT kvlimits
	if err != nil || !ok {
		target = "https://about.sho.rt/"
	}
	http.Redirect(w, r, target, http.StatusFound)
}

func (h *Handler) redirect(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	target, err := h.Links.Resolve(r.Context(), slug)
	switch {
	case errors.Is(err, links.ErrNotFound), errors.Is(err, links.ErrExpired):
		http.NotFound(w, r)
		return
	case err != nil:
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	ev := analytics.ClickEvent{Slug: slug, Country: r.Header.Get("CF-IPCountry"), Referer: r.Referer(), At: time.Now().UTC()}
	h.WaitUntil(func() {
		if err := h.Enqueue(ev); err != nil {
			h.Log.Warn("enqueue click", "slug", slug, "err", err)
		}
		if err := h.Recorder.CountClick(slug); err != nil {
			h.Log.Warn("count click", "slug", slug, "err", err)
		}
	})
	// Shown on the status page as "last redirect served".
	_ = h.NS.PutString(keys.LastRedirect, ev.At.Format(time.RFC3339), nil) // EXPECT kvhotkey
	http.Redirect(w, r, target, http.StatusFound)
}

func (h *Handler) preview(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	key := keys.PreviewPrefix + slug
	if page, err := h.NS.GetString(key, nil); err == nil && page != "<null>" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
		return
	}
	l, err := h.Links.Get(r.Context(), slug)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	variant := h.Flags.String("preview_variant", "basic")
	page := fmt.Sprintf(`<!doctype html><html data-variant=%q><body><p>This link goes to <a href="%s">%s</a></p></body></html>`,
		variant, html.EscapeString(l.Target), html.EscapeString(l.Target))
	// Targets can be edited, keep previews short-lived.
	_ = h.NS.PutString(key, page, &kv.PutOptions{ExpirationTTL: 30}) // EXPECT kvttl
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(page))
}

func (h *Handler) qrSVG(w http.ResponseWriter, r *http.Request) {
	svg, err := h.QR.SVG(r.PathValue("slug"))
	if err != nil {
		http.Error(w, "could not render", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	_, _ = w.Write([]byte(svg))
}

func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	now := time.Now().UTC().Format(time.RFC3339)
	if err := h.touch("health:last-ping", now, nil); err != nil { // EXPECT kvhotkey
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok"))
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.FormValue("email"))
	if !strings.Contains(email, "@") {
		http.Error(w, "invalid email", http.StatusBadRequest)
		return
	}
	err := h.Auth.RequestLink(r.Context(), email, r.FormValue("return_to"))
	if errors.Is(err, auth.ErrTooMany) {
		http.Error(w, "too many requests, try again later", http.StatusTooManyRequests)
		return
	}
	if err != nil {
		http.Error(w, "could not send link", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
}

func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	sess, returnTo, err := h.Auth.Redeem(r.Context(), r.URL.Query().Get("t"))
	if err != nil {
		http.Error(w, "this login link is invalid or has expired", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: h.Cookie, Value: sess.ID, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if returnTo == "" || !strings.HasPrefix(returnTo, "/") {
		returnTo = "/dashboard"
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}
