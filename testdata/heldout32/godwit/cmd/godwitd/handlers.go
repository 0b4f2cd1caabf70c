package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"godwit/internal/admin"
	"godwit/internal/bounce"
	"godwit/internal/campaigns"
	"godwit/internal/kvstore"
	"godwit/internal/optin"
	"godwit/internal/stats"
	"godwit/internal/unsub"
)

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.health)
	mux.HandleFunc("POST /s/{slug}", a.subscribe)
	mux.HandleFunc("GET /confirm/{token}", a.confirm)
	mux.HandleFunc("POST /u/{token}", a.unsubscribe)
	mux.HandleFunc("GET /c/{link}", a.click)
	mux.HandleFunc("POST /webhooks/provider", a.providerWebhook)

	mux.HandleFunc("POST /admin/login", a.login)
	mux.HandleFunc("POST /admin/logout", a.requireAdmin(a.logout))
	mux.HandleFunc("GET /admin/accounts/{account}/export", a.requireAdmin(a.export))
	mux.HandleFunc("POST /admin/accounts/{account}/lists/{list}/import", a.requireAdmin(a.importCSV))
	mux.HandleFunc("POST /admin/campaigns/{id}/send", a.requireAdmin(a.send))
	return mux
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

func (a *app) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.log.ErrorContext(r.Context(), "request", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// health reports readiness; the maintenance flag is flipped from the dashboard.
func (a *app) health(w http.ResponseWriter, r *http.Request) {
	flag, err := a.data.Get(r.Context(), "flags/maintenance")
	if err == nil && string(flag) == "on" {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}

func (a *app) subscribe(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ok, err := a.quota.AllowSignup(ctx, clientIP(r), a.cfg.SignupsPerIP)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !ok {
		http.Error(w, "too many signups, try again in a minute", http.StatusTooManyRequests)
		return
	}
	account, listID, err := a.subs.ResolveSlug(ctx, r.PathValue("slug"))
	if errors.Is(err, kvstore.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	email := strings.TrimSpace(r.FormValue("email"))
	if err := a.optin.Subscribe(ctx, account, listID, email); err != nil {
		a.fail(w, r, err)
		return
	}
	_ = a.data.Put(ctx, "stats/last-signup", []byte(time.Now().UTC().Format(time.RFC3339)), kvstore.PutOptions{}) // EXPECT kvhotkey
	http.Redirect(w, r, "/s/"+r.PathValue("slug")+"/check-your-inbox", http.StatusSeeOther)
}

func (a *app) confirm(w http.ResponseWriter, r *http.Request) {
	_, email, err := a.optin.Confirm(r.Context(), r.PathValue("token"))
	if errors.Is(err, optin.ErrExpired) {
		http.Error(w, "This confirmation link has expired.", http.StatusGone)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	fmt.Fprintf(w, "Thanks, %s is confirmed.\n", email)
}

// unsubscribe handles the form and RFC 8058 one-click POSTs.
func (a *app) unsubscribe(w http.ResponseWriter, r *http.Request) {
	reason := r.FormValue("reason")
	if r.FormValue("List-Unsubscribe") == "One-Click" {
		reason = "one-click"
	}
	err := a.unsub.Unsubscribe(r.Context(), r.PathValue("token"), reason)
	if errors.Is(err, unsub.ErrUnknownLink) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	fmt.Fprintln(w, "You have been unsubscribed.")
}

func (a *app) click(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("link")
	target, err := a.links.Get(r.Context(), id)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if err := a.stats.RecordClick(r.Context(), id); err != nil {
		a.log.WarnContext(r.Context(), "record click", "link", id, "err", err)
	}
	http.Redirect(w, r, target, http.StatusFound)
}

type providerEvent struct {
	stats.Event
	Account    string `json:"account"`
	MessageID  string `json:"message_id"`
	BounceKind string `json:"bounce_kind"`
	Diagnostic string `json:"diagnostic"`
}

// providerWebhook receives batched delivery events from the sending provider.
func (a *app) providerWebhook(w http.ResponseWriter, r *http.Request) {
	var events []providerEvent
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&events); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	var bounces []bounce.Notification
	for _, ev := range events {
		switch ev.Type {
		case "bounce", "complaint":
			kind := ev.BounceKind
			if ev.Type == "complaint" {
				kind = "complaint"
			}
			bounces = append(bounces, bounce.Notification{MessageID: ev.MessageID, Account: ev.Account,
				Email: ev.Email, Kind: kind, Diagnostic: ev.Diagnostic, At: ev.At})
		case "open", "click":
			a.stats.Observe(ev.Event)
			a.campaigns.Observe(r.Context(), ev.Campaign, campaigns.Activity{Type: ev.Type, Email: ev.Email, At: ev.At})
		}
	}
	if len(bounces) > 0 {
		select {
		case a.bounces <- bounces:
		case <-r.Context().Done():
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
	}
	_ = a.data.Put(r.Context(), "health/last-webhook", []byte(time.Now().UTC().Format(time.RFC3339Nano)), kvstore.PutOptions{}) // EXPECT kvhotkey
	w.WriteHeader(http.StatusNoContent)
}

const sessionCookie = "godwit_session"

func setSessionCookie(w http.ResponseWriter, s admin.Session, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.User + "|" + s.ID, Path: "/admin",
		MaxAge: int(ttl.Seconds()), HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	sess, csrf, err := a.admin.Login(r.Context(), r.FormValue("email"), r.FormValue("password"), clientIP(r))
	switch {
	case errors.Is(err, admin.ErrBadCredentials), errors.Is(err, admin.ErrLocked):
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	case err != nil:
		a.fail(w, r, err)
		return
	}
	setSessionCookie(w, sess, a.cfg.SessionTTL)
	writeJSON(w, http.StatusOK, map[string]string{"csrf": csrf})
}

type adminHandler func(w http.ResponseWriter, r *http.Request, s admin.Session)

// requireAdmin resolves the session cookie and, on POST, checks and rotates
// the CSRF token.
func (a *app) requireAdmin(next adminHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Error(w, admin.ErrNoSession.Error(), http.StatusUnauthorized)
			return
		}
		user, id, _ := strings.Cut(c.Value, "|")
		sess, err := a.admin.Authenticate(r.Context(), user, id)
		if err != nil {
			http.Error(w, admin.ErrNoSession.Error(), http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			if err := a.admin.CheckCSRF(r.Context(), sess.ID, r.Header.Get("X-CSRF-Token")); err != nil {
				http.Error(w, err.Error(), http.StatusForbidden)
				return
			}
			tok, err := a.admin.RotateCSRF(r.Context(), sess.ID)
			if err != nil {
				a.fail(w, r, err)
				return
			}
			w.Header().Set("X-CSRF-Token", tok)
		}
		next(w, r, sess)
	}
}

func (a *app) logout(w http.ResponseWriter, r *http.Request, s admin.Session) {
	if err := a.admin.Logout(r.Context(), s); err != nil {
		a.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/admin", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) export(w http.ResponseWriter, r *http.Request, _ admin.Session) {
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Disposition", `attachment; filename="subscribers.csv"`)
	if err := a.subs.Export(r.Context(), r.PathValue("account"), w); err != nil {
		a.log.ErrorContext(r.Context(), "export", "err", err)
	}
}

func (a *app) importCSV(w http.ResponseWriter, r *http.Request, s admin.Session) {
	job := fmt.Sprintf("%s-%d", r.PathValue("list"), time.Now().UnixNano())
	res, err := a.subs.Import(r.Context(), r.PathValue("account"), r.PathValue("list"), job,
		http.MaxBytesReader(w, r.Body, 64<<20), 4)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *app) send(w http.ResponseWriter, r *http.Request, s admin.Session) {
	var c campaigns.Campaign
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		http.Error(w, "bad campaign", http.StatusBadRequest)
		return
	}
	c.ID = r.PathValue("id")
	go func() {
		ctx := context.WithoutCancel(r.Context())
		if err := a.campaigns.Dispatch(ctx, c); err != nil {
			a.log.Error("dispatch", "campaign", c.ID, "err", err)
			return
		}
		if err := a.campaigns.PurgePreviews(ctx, c.ID); err != nil {
			a.log.Warn("purge previews", "campaign", c.ID, "err", err)
		}
	}()
	w.WriteHeader(http.StatusAccepted)
}
