// Command api is the dunnock backend: the creator dashboard API, episode
// publishing and the link minting used by the players.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/samber/lo"

	"dunnock/internal/accounts"
	"dunnock/internal/episodes"
	"dunnock/internal/kvstore"
	"dunnock/internal/links"
	"dunnock/internal/listeners"
)

type app struct {
	pub      *episodes.Publisher
	catalog  *episodes.Catalog
	links    *links.Service
	stats    *listeners.Recorder
	sessions *accounts.Sessions
	billing  kvstore.Store
}

type dbShows struct{}

func (dbShows) ShowBySlug(ctx context.Context, slug string) (episodes.Show, error) {
	return episodes.Show{ID: "show_" + slug, Slug: slug, Title: slug}, nil
}

func env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("%s is not set", name)
	}
	return v
}

func main() {
	token, account := env("CF_API_TOKEN"), env("CF_ACCOUNT_ID")
	remote := func(ns string) kvstore.Store { return kvstore.NewRemote(token, account, ns) }

	catalogLayers := []kvstore.Layer{
		kvstore.Metered("catalog"),
		kvstore.Retrying(4),
		kvstore.Cached(5 * time.Second),
	}
	statsLayers := []kvstore.Layer{
		kvstore.Metered("stats"),
		kvstore.Namespaced("stats:"),
		kvstore.DefaultTTL(45 * time.Second), // EXPECT kvttl
	}
	authLayers := []kvstore.Layer{
		kvstore.Metered("auth"),
		kvstore.MinimumTTL(),
		kvstore.Namespaced("auth:"),
		kvstore.DefaultTTL(24 * time.Hour),
	}

	catalogKV := kvstore.Compose(remote(env("KV_CATALOG")), catalogLayers...)
	a := &app{
		pub:      episodes.NewPublisher(catalogKV, dbShows{}),
		catalog:  episodes.NewCatalog(catalogKV),
		links:    links.New(kvstore.Compose(remote(env("KV_LINKS")), kvstore.Retrying(3)), []byte(env("LINK_SECRET"))),
		stats:    listeners.NewRecorder(kvstore.Compose(remote(env("KV_STATS")), statsLayers...)),
		sessions: accounts.NewSessions(kvstore.Compose(remote(env("KV_AUTH")), authLayers...)),
		billing:  remote(env("KV_BILLING")),
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go a.stats.PublishSummary(ctx, func() listeners.Snapshot { return listeners.Snapshot{At: time.Now()} })

	srv := &http.Server{Addr: ":8080", Handler: a.routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.stats.Flush(shutdown)
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

func (a *app) routes() http.Handler {
	r := chi.NewRouter()
	r.Get("/shows/{slug}", a.getShow)
	r.Post("/shows/{slug}/claim", a.claimShow)
	r.Get("/shows/{slug}/episodes", a.listEpisodes)
	r.Post("/shows/{slug}/episodes", a.publishEpisode)
	r.Post("/shows/{slug}/episodes/{n}/link", a.mintLink)
	r.Post("/shows/{slug}/episodes/{n}/embed-link", a.mintEmbedLink)
	r.Get("/dl/{token}", a.redeemLink)
	r.Post("/auth/logout", a.logout)
	r.Post("/auth/password", a.changePassword)
	r.Post("/webhooks/billing", a.billingWebhook)
	return r
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, episodes.ErrSlugTaken):
		status = http.StatusConflict
	case errors.Is(err, links.ErrExpired), errors.Is(err, kvstore.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, accounts.ErrNoSession):
		status = http.StatusUnauthorized
	}
	http.Error(w, err.Error(), status)
}

func (a *app) getShow(w http.ResponseWriter, r *http.Request) {
	show, err := a.pub.Show(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, show)
}

func (a *app) claimShow(w http.ResponseWriter, r *http.Request) {
	sess, err := a.sessions.Touch(r.Context(), r)
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.pub.ClaimSlug(r.Context(), chi.URLParam(r, "slug"), "show_"+sess.UserID); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) listEpisodes(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	page, err := a.catalog.Page(r.Context(), chi.URLParam(r, "slug"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (a *app) publishEpisode(w http.ResponseWriter, r *http.Request) {
	var ep episodes.Episode
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ep); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ep.Show = chi.URLParam(r, "slug")
	ep.Published = time.Now()
	if err := a.pub.Publish(r.Context(), ep); err != nil {
		fail(w, err)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = a.pub.AppendChangelog(ctx, ep.Show, "published #"+strconv.Itoa(ep.Number)+" "+ep.Title)
		_ = a.links.ProbeOrigin(ctx, ep.AudioURL)
	}()
	writeJSON(w, http.StatusCreated, ep)
}

func (a *app) episodeFromURL(r *http.Request) (episodes.Episode, error) {
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	if err != nil {
		return episodes.Episode{}, err
	}
	ep, ok, err := a.catalog.Episode(r.Context(), chi.URLParam(r, "slug"), n)
	if err == nil && !ok {
		err = kvstore.ErrNotFound
	}
	return ep, err
}

func (a *app) mintLink(w http.ResponseWriter, r *http.Request) {
	ep, err := a.episodeFromURL(r)
	if err != nil {
		fail(w, err)
		return
	}
	url, err := a.links.Mint(r.Context(), links.Link{Episode: ep.ID, AudioURL: ep.AudioURL, OneShot: r.URL.Query().Has("once")})
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"url": url})
}

func (a *app) mintEmbedLink(w http.ResponseWriter, r *http.Request) {
	ep, err := a.episodeFromURL(r)
	if err != nil {
		fail(w, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	url, err := a.links.MintForRequest(ctx, links.Link{Episode: ep.ID, AudioURL: ep.AudioURL})
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"url": url})
}

func (a *app) redeemLink(w http.ResponseWriter, r *http.Request) {
	l, err := a.links.Redeem(r.Context(), chi.URLParam(r, "token"), r.URL.Query().Get("sig"))
	if err != nil {
		fail(w, err)
		return
	}
	a.stats.Tally(l.Episode)
	http.Redirect(w, r, l.AudioURL, http.StatusFound)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := a.sessions.Load(r.Context(), r)
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.sessions.End(r.Context(), w, sess); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) changePassword(w http.ResponseWriter, r *http.Request) {
	sess, err := a.sessions.Load(r.Context(), r)
	if err != nil {
		fail(w, err)
		return
	}
	if err := a.sessions.CheckCSRF(r.Context(), sess, r.FormValue("csrf")); err != nil {
		fail(w, err)
		return
	}
	if err := a.sessions.EndAll(r.Context(), sess.UserID); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type billingEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Show string `json:"show"`
	Plan string `json:"plan"`
}

func (a *app) billingWebhook(w http.ResponseWriter, r *http.Request) {
	var ev billingEvent
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if ev.Type == "plan.changed" {
		plan := lo.Ternary(ev.Plan == "", "free", ev.Plan)
		if err := a.billing.Put(ctx, kvstore.Entry{Key: "plan/" + ev.Show, Value: plan}); err != nil {
			fail(w, err)
			return
		}
	}
	stamp, _ := json.Marshal(map[string]string{"id": ev.ID, "type": ev.Type, "at": time.Now().UTC().Format(time.RFC3339)})
	if err := a.billing.Put(ctx, kvstore.Entry{Key: "webhooks/billing/last", Value: string(stamp)}); err != nil { // EXPECT kvhotkey
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
