//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"time"

	"example.com/lantern/internal/auth"
	"example.com/lantern/internal/events"
	"example.com/lantern/internal/export"
	"example.com/lantern/internal/feed"
	"example.com/lantern/internal/store"
	"example.com/lantern/internal/tenant"
	"example.com/lantern/internal/webhooks"
)

// handler is an HTTP handler that reports failures as errors.
type handler func(w http.ResponseWriter, r *http.Request) error

func statusOf(err error) int {
	switch {
	case errors.Is(err, auth.ErrNoSession), errors.Is(err, auth.ErrBadLink), errors.Is(err, webhooks.ErrSignature), errors.Is(err, webhooks.ErrStale):
		return http.StatusUnauthorized
	case errors.Is(err, events.ErrNotFound), errors.Is(err, feed.ErrNotPublished):
		return http.StatusNotFound
	case errors.Is(err, auth.ErrHandleTaken):
		return http.StatusConflict
	case errors.Is(err, auth.ErrBadState):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		code := statusOf(err)
		if code >= 500 {
			log.Printf("lantern: %s %s: %v", r.Method, r.URL.Path, err)
		}
		http.Error(w, err.Error(), code)
	}
}

func jsonOut(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(v)
}

func (a *app) tenantID(r *http.Request) string {
	if t := r.PathValue("tenant"); t != "" {
		return t
	}
	if t := r.Header.Get("X-Lantern-Tenant"); t != "" {
		return t
	}
	return "default"
}

func (a *app) session(r *http.Request) (auth.Session, string, error) {
	c, err := r.Cookie(a.cfg.Sessions.CookieName)
	if err != nil {
		return auth.Session{}, "", auth.ErrNoSession
	}
	s, err := a.auth.Lookup(c.Value)
	return s, c.Value, err
}

func (a *app) setCookie(w http.ResponseWriter, id string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: a.cfg.Sessions.CookieName, Value: id, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) error {
	if _, id, err := a.session(r); err == nil {
		if err := a.auth.Logout(id); err != nil {
			return err
		}
	}
	a.setCookie(w, "", -1)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *app) magicLink(w http.ResponseWriter, r *http.Request) error {
	email, err := a.auth.ConsumeMagicLink(r.PathValue("token"))
	if err != nil {
		return err
	}
	tid := a.tenantID(r)
	settings, err := tenant.LoadSettings(r.Context(), tenant.Scope(a.data, tid), tenant.Settings{Timezone: "UTC"})
	if err != nil {
		return err
	}
	id, err := a.auth.CreateSession("u_"+email, tid, string(settings.Plan))
	if err != nil {
		return err
	}
	a.setCookie(w, id, int(a.cfg.Sessions.TTLSeconds))
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (a *app) claimHandle(w http.ResponseWriter, r *http.Request) error {
	s, _, err := a.session(r)
	if err != nil {
		return err
	}
	if ok, err := a.limiter.AllowUser(s.UserID); err == nil && !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return nil
	}
	if err := a.auth.ClaimHandle(s.UserID, r.FormValue("handle")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *app) paymentWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return err
	}
	err = a.hooks.Handle(r.Context(), r.Header.Get("Lantern-Delivery"), r.Header.Get("Lantern-Signature"), body)
	if errors.Is(err, webhooks.ErrGiveUp) {
		log.Printf("lantern: parking delivery: %v", err)
	} else if err != nil && !errors.Is(err, webhooks.ErrDuplicate) {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// applyPaymentEvent records the provider's view of a ticket.
func (a *app) applyPaymentEvent(ctx context.Context, ev webhooks.Event) error {
	if ev.TicketID == "" {
		return nil
	}
	return a.data.Put(ctx, "ticket-status:"+ev.TicketID, []byte(ev.Type), store.PutOptions{})
}

func (a *app) eventPage(w http.ResponseWriter, r *http.Request) error {
	st := tenant.Scope(a.data, a.tenantID(r))
	svc := &events.Service{Events: events.NewRepo(st), Slugs: st}
	out, err := svc.Handle(r.Context(), events.BySlugQuery{Slug: r.PathValue("slug")})
	if err != nil {
		return err
	}
	ev := out.(events.Event)
	if err := a.stats.View(ev.ID, r.Referer()); err != nil {
		log.Printf("lantern: view: %v", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if banner, ok := a.stats.LiveBanner(ev.ID); ok {
		fmt.Fprintf(w, "<p class=live>%s</p>", html.EscapeString(banner))
	}
	_, err = fmt.Fprintf(w, "<h1>%s</h1><p>%s, %s</p>", html.EscapeString(ev.Title), html.EscapeString(ev.Venue), ev.StartsAt.Format(time.RFC1123))
	return err
}

func (a *app) calendar(w http.ResponseWriter, r *http.Request) error {
	body, err := a.feed.TenantCalendar(a.tenantID(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	_, err = w.Write(body)
	return err
}

func (a *app) exporter(r *http.Request) *export.Exporter {
	return &export.Exporter{Store: tenant.Scope(a.data, a.tenantID(r)), Opts: a.api.Export, Clock: time.Now}
}

func (a *app) checkin(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := a.session(r); err != nil {
		return err
	}
	if err := a.exporter(r).AppendCheckin(r.Context(), r.PathValue("id"), r.FormValue("ticket"), r.FormValue("gate")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *app) sitemap(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/xml")
	return a.exporter(r).Sitemap(r.Context(), w, a.cfg.BaseURL)
}
