//go:build js && wasm

// Command edge is the Cloudflare Worker in front of the newsletter
// platform: public signup and unsubscribe endpoints, open and click
// tracking, the campaign archive and the edge half of the dashboard.
package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/larkspur/internal/config"
	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/edge/archive"
	"example.com/larkspur/internal/edge/edgecron"
	"example.com/larkspur/internal/edge/editor"
	"example.com/larkspur/internal/edge/guard"
	"example.com/larkspur/internal/edge/kvbind"
	"example.com/larkspur/internal/edge/sessions"
	"example.com/larkspur/internal/edge/signup"
	"example.com/larkspur/internal/edge/track"
	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
	"example.com/larkspur/internal/store"
)

// app is built on the first request or scheduled event, because bindings
// and variables are only readable while the runtime is handling one.
type app struct {
	mu        sync.Mutex
	handler   http.Handler
	scheduler *edgecron.Scheduler
}

func (a *app) get() (http.Handler, *edgecron.Scheduler, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.handler != nil {
		return a.handler, a.scheduler, nil
	}
	cfg, err := config.LoadEdge(cloudflare.Getenv)
	if err != nil {
		return nil, nil, err
	}
	a.handler, a.scheduler = wire(cfg)
	return a.handler, a.scheduler, nil
}

func wire(cfg config.Edge) (http.Handler, *edgecron.Scheduler) {
	ks := keys.New(cfg.KeyPrefix)
	mainNS := kvbind.Open(cfg.KVBinding)
	pagesNS := kvbind.Open(cfg.PagesBinding)
	sessionTTL := time.Duration(cfg.SessionTTLSeconds) * time.Second

	sm := sessions.NewManager(ks, sessions.WithTTL(sessionTTL), sessions.WithCookie("lk_session"))
	sm.SetStore(mainNS)

	mailer := &apiMailer{endpoint: cfg.MailEndpoint, apiKey: cfg.MailAPIKey, from: "Larkspur <no-reply@larkspur.example>"}
	svc := signup.NewService(ks, mailer, signup.Settings{
		ConfirmTTLSeconds: cfg.ConfirmTTLSeconds,
		UndoWindowSeconds: 30, // EXPECT kvttl
		ConfirmBaseURL:    cfg.PublicBaseURL,
		DefaultTopics:     []string{"news", "product"},
	})
	subscribe := signup.NewHandler(svc, ks)
	subscribe.SetStore(mainNS)
	subscribe.Use(guard.New(mainNS, ks, cfg.SignupsPerMinute, 200*time.Millisecond).Middleware)

	livePreviews := store.New[domain.Preview](mainNS, ks.Preview(""), kvstore.WithTTL(30*time.Second)) // EXPECT kvttl
	ed := editor.New(mainNS, ks, sm, livePreviews, sessionTTL)
	arch := archive.New(mainNS, pagesNS, ks)
	tr := track.New(mainNS, ks)

	rt := httpx.NewRouter()
	rt.Use(httpx.Recover(httpx.LogPanics))
	rt.Handle(http.MethodPost, "/subscribe", subscribe)
	rt.Handle(http.MethodGet, "/confirm", subscribe)
	rt.Handle(http.MethodPost, "/unsubscribe*", subscribe)
	rt.Handle(http.MethodGet, "/o/*", tr)
	rt.Handle(http.MethodPost, "/internal/sessions", httpx.Chain(httpx.E(createSession(sm)), httpx.RequireToken(cfg.AdminToken)))
	ed.Routes(rt)
	arch.Routes(rt, sm)

	sched := edgecron.New(mainNS, ks, edgecron.HTTPDispatcher{BaseURL: cfg.BackendURL, Token: cfg.AdminToken}, arch)
	return rt, sched
}

// createSession is called by the backend after it has checked an editor's
// password; the response carries the cookie for the dashboard to set.
func createSession(sm *sessions.Manager) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req struct {
			UserID    string `json:"user_id"`
			Workspace string `json:"workspace"`
		}
		if err := httpx.Decode(r, &req); err != nil || req.UserID == "" {
			httpx.Error(w, http.StatusBadRequest, "user_id is required")
			return nil
		}
		c, err := sm.Create(r.Context(), req.UserID, req.Workspace)
		if err == nil {
			httpx.JSON(w, http.StatusCreated, map[string]any{"cookie": c.String(), "max_age": c.MaxAge})
		}
		return err
	}
}

// apiMailer sends transactional email through the mail provider's API.
type apiMailer struct{ endpoint, apiKey, from string }

// Send implements signup.Mailer.
func (m *apiMailer) Send(ctx context.Context, to, subject, body string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return httpx.PostJSON(ctx, m.endpoint, m.apiKey, map[string]string{"from": m.from, "to": to, "subject": subject, "text": body})
}

func main() {
	a := &app{}
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		_, sched, err := a.get()
		if err != nil {
			return fmt.Errorf("edge: configure: %w", err)
		}
		return sched.Run(ctx)
	})
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, _, err := a.get()
		if err != nil {
			httpx.Error(w, http.StatusServiceUnavailable, "worker is misconfigured")
			return
		}
		h.ServeHTTP(w, r)
	}))
}
