//go:build js && wasm

// Command worker is the edge side of merlin: audience joins, votes, answers,
// moderation and host sign-in, served from Cloudflare Workers.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"merlin/internal/audience"
	"merlin/internal/bus"
	"merlin/internal/config"
	"merlin/internal/events"
	"merlin/internal/expiry"
	"merlin/internal/host"
	"merlin/internal/httpx"
	"merlin/internal/keys"
	"merlin/internal/kvstore"
	"merlin/internal/moderation"
	"merlin/internal/origin"
	"merlin/internal/result"
	"merlin/internal/settings"
	"merlin/internal/stats"
	"merlin/internal/votes"
)

const (
	quizBinding    = "QUIZ_KV"
	codesBinding   = "CODES_KV"
	configBinding  = "CONFIG_KV"
	archiveBinding = "ARCHIVE_KV"
	runningKey     = "running"
)

type app struct {
	mu     sync.Mutex
	booted bool

	cfg    *config.Holder
	loader *settings.Loader
	bus    *bus.Bus
	store  kvstore.Store
	keys   keys.KeyScheme

	host     *host.Service
	audience *audience.Service
	gate     *audience.AnswerGate
	tally    *votes.Tallier
	board    *votes.Leaderboard
	queue    *moderation.Queue
	stats    *stats.Stats
	origin   origin.Client
}

func newApp() *app {
	holder := config.NewHolder(config.Default())
	return &app{
		cfg:    holder,
		loader: settings.NewLoader(configBinding, holder),
		bus:    bus.New(),
		store:  kvstore.Open(quizBinding),
	}
}

// ensure reads the stored configuration and wires the services on the
// first invocation of the isolate. Bindings only exist inside a request.
func (a *app) ensure(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.booted {
		return nil
	}
	cfg, err := a.loader.Boot(ctx)
	if err != nil {
		return err
	}
	a.origin = origin.Client{HTTP: fetch.NewClient().HTTPClient(fetch.RedirectModeFollow), Base: cfg.OriginURL}
	a.keys = keys.For(cfg.Mode, cfg.KeyPrefix, []byte(cloudflare.Getenv("KEY_SALT")))
	pol := expiry.Choose(cfg)

	codes := a.store.In(codesBinding)
	quizzes := kvstore.NewCache[audience.Quiz](cfg.CacheDriver, a.store.WithPrefix("cache:"), 256, time.Minute)
	a.audience = audience.New(codes, a.store, a.keys, a.cfg, a.bus, quizzes, a.fetchQuiz)
	a.gate = audience.NewAnswerGate(a.store, a.keys, a.cfg)
	a.host = host.New(a.store, a.keys, a.cfg, a.bus,
		host.OriginVerifier{Client: a.origin}, a.sendMail)
	a.tally = votes.NewTallier(a.store, a.keys, a.cfg, pol, a.bus, a.audience, a.gate)
	a.board = votes.NewLeaderboard(a.store, a.keys, a.cfg, pol, func(ctx context.Context, quizID string) (time.Time, error) {
		q, err := a.audience.Quiz(ctx, quizID)
		return q.EndsAt, err
	})
	a.queue = moderation.New(a.store, a.keys, a.cfg, a.bus, a.audience)
	a.stats = stats.New(a.store, a.keys, a.cfg)

	for _, reg := range []interface{ Register(*bus.Bus) }{a.host, a.tally, a.board, a.queue, a.stats} {
		reg.Register(a.bus)
	}
	a.booted = true
	slog.Info("worker booted", "mode", cfg.Mode, "cache", cfg.CacheDriver)
	return nil
}

func (a *app) fetchQuiz(ctx context.Context, quizID string) (audience.Quiz, error) {
	var q audience.Quiz
	err := a.origin.Do(ctx, http.MethodGet, "/v1/quizzes/"+quizID, nil, &q)
	return q, err
}

func (a *app) sendMail(ctx context.Context, to, link string) error {
	msg := map[string]string{"to": to, "template": "magic-link", "link": link}
	return a.origin.Do(ctx, http.MethodPost, "/v1/mail", msg, nil)
}

// route adapts an error-returning method, booting the app first.
func (a *app) route(h func(*app) httpx.HandlerFunc) http.Handler {
	return httpx.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if err := a.ensure(r.Context()); err != nil {
			return err
		}
		return h(a)(w, r)
	})
}

func (a *app) advance(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Question int `json:"question"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return httpx.Errorf(http.StatusBadRequest, "bad body")
	}
	if _, _, err := a.host.Authenticate(r); err != nil {
		return err
	}
	evt := events.QuizAdvanced{QuizID: r.PathValue("id"), Question: body.Question, At: time.Now()}
	return a.bus.Publish(r.Context(), evt)
}

func (a *app) close(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, _, err := a.host.Authenticate(r); err != nil {
		return err
	}
	quizID := r.PathValue("id")
	q, err := a.audience.Quiz(ctx, quizID)
	if err != nil {
		return err
	}
	archive := kvstore.Open(archiveBinding).Scope("tenant:" + q.HostID)
	if err := a.queue.Archive(ctx, quizID, archive); err != nil {
		return err
	}
	if err := a.bus.Publish(ctx, events.QuizClosed{QuizID: quizID, EndedAt: time.Now()}); err != nil {
		return err
	}
	if err := a.setRunning(ctx, quizID, false); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *app) start(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := a.host.Authenticate(r); err != nil {
		return err
	}
	q, err := a.audience.Quiz(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := a.tally.Prepare(r.Context(), q); err != nil {
		return err
	}
	return a.setRunning(r.Context(), q.ID, true)
}

// setRunning adds or removes a quiz from the list the cron sweeps.
func (a *app) setRunning(ctx context.Context, quizID string, on bool) error {
	return a.store.Update(ctx, runningKey, 0, func(cur result.Option[string]) (string, error) {
		var ids []string
		if raw, ok := cur.Get(); ok {
			if err := json.Unmarshal([]byte(raw), &ids); err != nil {
				return "", err
			}
		}
		ids = slices.DeleteFunc(ids, func(id string) bool { return id == quizID })
		if on {
			ids = append(ids, quizID)
		}
		b, err := json.Marshal(ids)
		return string(b), err
	})
}

// tick runs once per cron trigger.
func (a *app) tick(ctx context.Context) error {
	if err := a.ensure(ctx); err != nil {
		return err
	}
	evt, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	var b result.Batch
	b.Add(a.loader.Refresh(ctx, evt.ScheduledTime))

	var running []string
	if got, err := kvstore.GetJSON[[]string](ctx, a.store, runningKey).Unwrap(); err != nil {
		b.Add(err)
	} else {
		running = got.OrElse(nil)
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, id := range running {
		n, err := a.queue.Sweep(ctx, id, deadline)
		b.Add(err)
		slog.Info("sweep", "quiz", id, "removed", n)
		b.Add(a.store.Put(ctx, "sweep:last", id+" "+time.Now().UTC().Format(time.RFC3339), 0)) // EXPECT kvhotkey
	}
	b.Add(a.stats.Rollup(ctx, evt.ScheduledTime, running))
	return b.Err()
}

func main() {
	a := newApp()
	mux := http.NewServeMux()

	mux.Handle("POST /host/login", a.route(func(a *app) httpx.HandlerFunc { return a.host.Login }))
	mux.Handle("POST /host/logout", a.route(func(a *app) httpx.HandlerFunc { return a.host.Logout }))
	mux.Handle("POST /host/password", a.route(func(a *app) httpx.HandlerFunc { return a.host.ChangePassword }))
	mux.Handle("POST /host/magic", a.route(func(a *app) httpx.HandlerFunc { return a.host.StartMagicLink }))
	mux.Handle("GET /host/magic", a.route(func(a *app) httpx.HandlerFunc { return a.host.RedeemMagicLink }))
	mux.Handle("GET /host/oauth/start", a.route(func(a *app) httpx.HandlerFunc { return a.host.OAuthStart }))
	mux.Handle("GET /host/oauth/callback", a.route(func(a *app) httpx.HandlerFunc { return a.host.OAuthCallback }))
	mux.Handle("GET /host/me", a.route(func(a *app) httpx.HandlerFunc { return a.host.Me }))

	mux.Handle("POST /host/quizzes/{id}/code", a.route(func(a *app) httpx.HandlerFunc { return a.audience.ClaimCode }))
	mux.Handle("POST /host/quizzes/{id}/code/random", a.route(func(a *app) httpx.HandlerFunc { return a.audience.NewCode }))
	mux.Handle("POST /host/quizzes/{id}/start", a.route(func(a *app) httpx.HandlerFunc { return a.start }))
	mux.Handle("POST /host/quizzes/{id}/advance", a.route(func(a *app) httpx.HandlerFunc { return a.advance }))
	mux.Handle("POST /host/quizzes/{id}/close", a.route(func(a *app) httpx.HandlerFunc { return a.close }))
	mux.Handle("GET /host/quizzes/{id}/questions", a.route(func(a *app) httpx.HandlerFunc { return a.queue.Pending }))
	mux.Handle("GET /host/quizzes/{id}/questions/export", a.route(func(a *app) httpx.HandlerFunc { return a.queue.Export }))
	mux.Handle("GET /host/quizzes/{id}/questions/count", a.route(func(a *app) httpx.HandlerFunc { return a.queue.Count }))
	mux.Handle("POST /host/quizzes/{id}/questions/{item}", a.route(func(a *app) httpx.HandlerFunc { return a.queue.Review }))

	mux.Handle("POST /join", a.route(func(a *app) httpx.HandlerFunc { return a.audience.Join }))
	mux.Handle("PATCH /me", a.route(func(a *app) httpx.HandlerFunc { return a.audience.Rename }))
	mux.Handle("POST /vote", a.route(func(a *app) httpx.HandlerFunc { return a.tally.Vote }))
	mux.Handle("POST /answer", a.route(func(a *app) httpx.HandlerFunc { return a.tally.Answer }))
	mux.Handle("POST /stations/upload", a.route(func(a *app) httpx.HandlerFunc { return a.tally.Station }))
	mux.Handle("POST /questions", a.route(func(a *app) httpx.HandlerFunc { return a.queue.Ask }))
	mux.Handle("GET /q/{id}", a.route(func(a *app) httpx.HandlerFunc { return a.stats.Landing }))
	mux.Handle("GET /q/{id}/live/{question}", a.route(func(a *app) httpx.HandlerFunc { return a.tally.Live }))
	mux.Handle("GET /q/{id}/results", a.route(func(a *app) httpx.HandlerFunc { return a.tally.ResultsHandler }))
	mux.Handle("GET /q/{id}/leaderboard", a.route(func(a *app) httpx.HandlerFunc { return a.board.Top }))
	mux.Handle("GET /status", a.route(func(a *app) httpx.HandlerFunc { return a.stats.Status }))

	cron.ScheduleTaskNonBlock(a.tick)
	workers.Serve(mux)
}
