// Command newsroom is the Worker behind news.example.com: the public site,
// the CMS API for the desks, the wire-service queue consumer and the cron
// that rebuilds the fronts.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	_ "github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"
	"github.com/syumai/workers/cloudflare/r2"

	"example.com/newsroom/internal/admin"
	"example.com/newsroom/internal/auth"
	"example.com/newsroom/internal/comments"
	"example.com/newsroom/internal/config"
	"example.com/newsroom/internal/db"
	"example.com/newsroom/internal/drafts"
	"example.com/newsroom/internal/homepage"
	"example.com/newsroom/internal/httpx"
	"example.com/newsroom/internal/magiclink"
	"example.com/newsroom/internal/moderation"
	"example.com/newsroom/internal/newsletter"
	"example.com/newsroom/internal/publish"
	"example.com/newsroom/internal/social"
	"example.com/newsroom/internal/stats"
	"example.com/newsroom/internal/store"
	"example.com/newsroom/internal/store/decorate"
	"example.com/newsroom/internal/store/kvstore"
	"example.com/newsroom/internal/tagindex"
	"example.com/newsroom/internal/trending"
	"example.com/newsroom/internal/wire"
)

var desks = []string{"world", "politics", "business", "science", "sport", "culture"}

type app struct {
	cfg       config.Config
	log       *slog.Logger
	content   store.Store
	statsNS   *kv.Namespace
	db        *db.DB
	auth      *auth.Handlers
	magic     *magiclink.Service
	drafts    *drafts.Service
	publisher *publish.Publisher
	views     *stats.Views
	shares    *social.Shares
	rail      *trending.Rail
	comments  *comments.Service
	modqueue  *moderation.Queue
	letters   *newsletter.List
	front     *homepage.Builder
	wire      *wire.Consumer
	admin     *admin.Tool
	counts    *decorate.OpCounts
	http      *http.Client
}

func mustNS(name string) *kvstore.Namespace {
	ns, err := kvstore.Open(name)
	if err != nil {
		panic(err)
	}
	return ns
}

func build() *app {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg := config.Default()
	if v := cloudflare.Getenv("SITE_URL"); v != "" {
		cfg.SiteURL = v
	}

	contentNS := mustNS("CONTENT")
	authNS := mustNS("AUTH")
	statsNS := mustNS("STATS")
	wireNS := mustNS("WIRE")
	modNS := mustNS("MODERATION")
	adminNS := mustNS("ADMIN")

	counts := &decorate.OpCounts{}
	content := decorate.WithLogging(
		decorate.WithMetrics(
			decorate.WithCache(contentNS, decorate.CacheFor(30*time.Second), decorate.OnlyPrefixes("article:", "slug:", "home:")),
			counts),
		log)
	authStore := decorate.WithLogging(authNS, log)

	sqlDB, err := sql.Open("d1", "DB")
	if err != nil {
		panic(err)
	}
	d := db.New(sqlDB)

	client := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
	mail := &espMailer{client: client, apiURL: cloudflare.Getenv("ESP_URL"), apiKey: cloudflare.Getenv("ESP_KEY"), from: "newsroom@example.com"}

	bucket, err := r2.NewBucket("EXPORTS")
	if err != nil {
		panic(err)
	}

	authH := auth.NewHandlers(authStore, d, cfg, log)
	draftSvc := drafts.New(content)
	screen := moderation.NewScreen(modNS.Raw())

	return &app{
		cfg:       cfg,
		log:       log,
		content:   content,
		statsNS:   statsNS.Raw(),
		db:        d,
		auth:      authH,
		magic:     magiclink.New(authNS.Raw(), authH.Sessions, d, mail, cfg, log),
		drafts:    draftSvc,
		publisher: publish.New(content, draftSvc, tagindex.New(contentNS.Raw())),
		views:     stats.NewViews(statsNS.Raw()),
		shares:    social.NewShares(decorate.WithMetrics(statsNS, counts)),
		rail:      trending.New(content, d, trending.Size(cfg.TrendingSize), trending.CacheTTL(cfg.TrendingTTL)),
		comments:  comments.New(content, screen),
		modqueue:  moderation.NewQueue(modNS.Raw()),
		letters:   newsletter.New(content, mail, newsletter.Config{ConfirmURL: cfg.SiteURL + "/newsletter/confirm", DailyQuota: cfg.DigestDailyQuota}),
		front:     homepage.New(content, d, kvstore.NewFragments(contentNS), cfg, desks, log),
		wire:      wire.NewConsumer(wireNS.Raw(), content, log),
		admin: admin.New(map[string]*kv.Namespace{
			"CONTENT": contentNS.Raw(), "AUTH": authNS.Raw(), "STATS": statsNS.Raw(),
			"WIRE": wireNS.Raw(), "MODERATION": modNS.Raw(),
		}, adminNS.Raw(), r2Blobs{b: bucket}, log),
		counts: counts,
		http:   client,
	}
}

func (a *app) publicRoutes() httpx.Routes {
	return httpx.Routes{
		"GET /{$}":                a.home,
		"GET /a/":                 a.article,
		"POST /share":             a.share,
		"GET /trending":           a.trending,
		"GET /views":              a.viewCount,
		"POST /comments":          a.postComment,
		"POST /newsletter":        a.subscribe,
		"GET /newsletter/confirm": a.confirm,
	}
}

func (a *app) deskRoutes() httpx.Routes {
	return httpx.Routes{
		"PUT /desk/drafts":           a.autosave,
		"GET /desk/drafts/mine":      a.myDrafts,
		"POST /desk/publish":         a.publish,
		"POST /desk/withdraw":        a.withdraw,
		"GET /desk/moderation":       a.pending,
		"POST /desk/moderation/done": a.moderate,
		"GET /admin/metrics":         a.metrics,
	}
}

// reply writes v as JSON, or maps err to a status.
func reply(w http.ResponseWriter, status int, v any, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		httpx.Error(w, http.StatusNotFound, "not found")
	case errors.Is(err, drafts.ErrLocked), errors.Is(err, publish.ErrSlugTaken):
		httpx.Error(w, http.StatusConflict, err.Error())
	case errors.Is(err, newsletter.ErrInvalidEmail):
		httpx.Error(w, http.StatusBadRequest, err.Error())
	case err != nil:
		httpx.Error(w, http.StatusServiceUnavailable, err.Error())
	case v == nil:
		w.WriteHeader(status)
	default:
		httpx.JSON(w, status, v)
	}
}

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	page, err := a.content.Get(r.Context(), "home:html")
	if err != nil {
		http.Error(w, "front page is being rebuilt", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(page)
}

func (a *app) article(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	art, err := a.publisher.BySlug(ctx, strings.TrimPrefix(r.URL.Path, "/a/"))
	reply(w, http.StatusOK, art, err)
	if err != nil {
		return
	}
	if err := a.views.RecordView(art.ID); err != nil {
		a.log.Warn("record view", "err", err)
	}
	if err := a.db.AddRead(ctx, art.ID, time.Now()); err != nil {
		a.log.Warn("add read", "err", err)
	}
	if err := a.rail.Refresh(ctx); err != nil {
		a.log.Warn("refresh trending", "err", err)
	}
}

func (a *app) share(w http.ResponseWriter, r *http.Request) {
	reply(w, http.StatusNoContent, nil, a.shares.Record(r.Context(), r.FormValue("article"), r.FormValue("network")))
}

func (a *app) viewCount(w http.ResponseWriter, r *http.Request) {
	n, err := a.views.Count(r.URL.Query().Get("article"))
	reply(w, http.StatusOK, map[string]int{"views": n}, err)
}

func (a *app) trending(w http.ResponseWriter, r *http.Request) {
	if desk := r.URL.Query().Get("desk"); desk != "" {
		items, err := a.rail.Section(r.Context(), desk)
		reply(w, http.StatusOK, items, err)
		return
	}
	items, err := a.rail.Get(r.Context())
	reply(w, http.StatusOK, items, err)
}

func (a *app) postComment(w http.ResponseWriter, r *http.Request) {
	var c comments.Comment
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	c.ID = auth.NewID()[:16]
	c, err := a.comments.Post(r.Context(), c)
	reply(w, http.StatusCreated, c, err)
}

func (a *app) subscribe(w http.ResponseWriter, r *http.Request) {
	err := a.letters.Subscribe(r.Context(), r.FormValue("email"), strings.Split(r.FormValue("topics"), ","))
	reply(w, http.StatusAccepted, nil, err)
}

func (a *app) confirm(w http.ResponseWriter, r *http.Request) {
	sub, err := a.letters.Confirm(r.Context(), r.URL.Query().Get("t"))
	reply(w, http.StatusOK, sub, err)
}

func (a *app) autosave(w http.ResponseWriter, r *http.Request) {
	editor, _ := httpx.Editor(r.Context())
	var d drafts.Draft
	if err := json.NewDecoder(r.Body).Decode(&d); err != nil || d.ID == "" {
		httpx.Error(w, http.StatusBadRequest, "bad draft")
		return
	}
	d.Author = editor
	reply(w, http.StatusNoContent, nil, a.drafts.Autosave(r.Context(), d, editor))
}

func (a *app) myDrafts(w http.ResponseWriter, r *http.Request) {
	editor, _ := httpx.Editor(r.Context())
	ds, err := a.drafts.Mine(r.Context(), editor)
	reply(w, http.StatusOK, ds, err)
}

func (a *app) publish(w http.ResponseWriter, r *http.Request) {
	var embargo time.Time
	if v := r.FormValue("embargo"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, "bad embargo time")
			return
		}
		embargo = t
	}
	art, err := a.publisher.Publish(r.Context(), r.FormValue("draft"), embargo)
	if err == nil && !art.Embargo.IsZero() {
		err = a.publisher.ScheduleReminder(r.Context(), art)
	}
	reply(w, http.StatusCreated, art, err)
}

func (a *app) withdraw(w http.ResponseWriter, r *http.Request) {
	reply(w, http.StatusNoContent, nil, a.publisher.Withdraw(r.Context(), r.FormValue("article"), r.FormValue("reason")))
}

func (a *app) pending(w http.ResponseWriter, r *http.Request) {
	cs, next, err := a.comments.PendingPage(r.Context(), r.URL.Query().Get("cursor"))
	reply(w, http.StatusOK, map[string]any{"comments": cs, "cursor": next}, err)
}

func (a *app) moderate(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.FormValue("comment")
	decide := a.comments.Reject
	if r.FormValue("decision") == "approve" {
		decide = a.comments.Approve
	}
	err := decide(ctx, id)
	if err == nil {
		err = a.modqueue.Done(r.FormValue("desk"), id)
	}
	reply(w, http.StatusNoContent, nil, err)
}

func (a *app) metrics(w http.ResponseWriter, r *http.Request) {
	httpx.JSON(w, http.StatusOK, map[string]int64{
		"gets": a.counts.Gets.Load(), "misses": a.counts.Misses.Load(), "puts": a.counts.Puts.Load(),
		"deletes": a.counts.Deletes.Load(), "lists": a.counts.Lists.Load(),
	})
}

// scheduled runs the cron triggers configured in wrangler.jsonc.
func (a *app) scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		if err := a.front.Rebuild(ctx, ev.ScheduledTime); err != nil {
			return err
		}
		if err := a.front.NewsSitemap(ctx); err != nil {
			return err
		}
	case "0 * * * *":
		if err := a.front.Sitemap(ctx); err != nil {
			return err
		}
		for _, desk := range desks {
			if err := a.front.DeskSitemap(ctx, desk); err != nil {
				return err
			}
		}
	case "*/15 * * * *":
		if err := a.wire.SnapshotFeed(ctx, a.http); err != nil {
			a.log.Warn("wire snapshot", "err", err)
		}
	case "0 6 * * *":
		if _, err := a.letters.SendDigest(ctx, "morning", "Your morning briefing", "", ""); err != nil {
			return err
		}
	}
	return a.statsNS.PutString("cron:last-run:"+ev.Cron, ev.ScheduledTime.Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600})
}

func main() {
	a := build()
	site := httpx.Chain(httpx.NewRouter(a.publicRoutes(), a.magic.Routes(), a.auth.Routes()), httpx.Logger(a.log))
	desk := httpx.Chain(httpx.NewRouter(a.deskRoutes(), a.admin.Routes()),
		httpx.Logger(a.log),
		a.auth.RequireEditor,
		httpx.Presence(httpx.PresenceDeps{Save: a.content.Put, Log: a.log}),
	)
	mux := http.NewServeMux()
	mux.Handle("/desk/", desk)
	mux.Handle("/admin/", desk)
	mux.Handle("/", site)

	workers.ServeNonBlock(mux)
	cron.ScheduleTaskNonBlock(a.scheduled)
	queues.ConsumeNonBlock(a.wire.Handle)
	workers.Ready()
	<-workers.Done()
}
