//go:build js && wasm

// Command worker is the Bufflehead edge Worker: signup and confirmation
// pages, unsubscribe links, tracking, dashboard sessions and direct sends.
package main

import (
	"context"
	"log"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"bufflehead/internal/edgekv"
	"bufflehead/internal/optin"
	"bufflehead/internal/quota"
	"bufflehead/internal/session"
	"bufflehead/internal/templates"
	"bufflehead/internal/tracking"
	"bufflehead/internal/unsub"
)

type app struct {
	lists     *edgekv.Namespace
	sessions  *session.Store
	sessNS    *edgekv.Namespace
	usage     *quota.Limiter
	templates *templates.Cache
	tracker   *tracking.Tracker
	signer    unsub.Signer
	apiBase   string
}

func mustOpen(binding string) *edgekv.Namespace {
	ns, err := edgekv.Open(binding)
	if err != nil {
		log.Fatal(err)
	}
	return ns
}

func newApp() *app {
	var cfg struct {
		APIBase      string
		TemplateBase string
		UnsubSecret  string
	}
	cfg.APIBase = cloudflare.Getenv("API_BASE")
	cfg.TemplateBase = cloudflare.Getenv("TEMPLATE_ORIGIN")
	cfg.UnsubSecret = cloudflare.Getenv("UNSUB_SECRET")

	tplNS, err := edgekv.OpenCached("TEMPLATES", 20) // EXPECT kvttl
	if err != nil {
		log.Fatal(err)
	}
	sessNS := mustOpen("SESSIONS")
	return &app{
		lists:     mustOpen("LISTS"),
		sessions:  session.NewStore(sessNS),
		sessNS:    sessNS,
		usage:     quota.NewLimiter(mustOpen("USAGE"), mustOpen("PLANS"), cfg.APIBase),
		templates: templates.New(tplNS, cfg.TemplateBase),
		tracker:   tracking.New(mustOpen("TRACKING").Raw()),
		signer:    unsub.Signer{Secret: []byte(cfg.UnsubSecret)},
		apiBase:   cfg.APIBase,
	}
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/signup", a.handleSignup)
	mux.HandleFunc("/confirm", a.handleConfirm)
	mux.HandleFunc("/u", a.handleUnsubscribe)
	mux.HandleFunc("/login", a.handleLogin)
	mux.HandleFunc("/login/callback", a.handleLoginCallback)
	mux.HandleFunc("/logout", a.handleLogout)
	mux.HandleFunc("/dashboard/campaigns/", a.handleCampaign)
	mux.HandleFunc("/connect/provider", a.handleConnect)
	mux.HandleFunc("/connect/provider/callback", a.handleConnectCallback)
	mux.HandleFunc("/send", a.handleSend)
	mux.HandleFunc("/o", a.tracker.ServeOpen)
	mux.HandleFunc("/c", a.tracker.ServeClick)
	return mux
}

func (a *app) cronTask(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	var rep optin.SweepReport
	if err := optin.Sweep(ctx, a.lists, 5, &rep); err != nil {
		return err
	}
	log.Printf("cron %s: optin sweep scanned=%d stale=%d confirmed=%d truncated=%v",
		ev.Cron, rep.Scanned, rep.Stale, rep.Confirmed, rep.Truncated)
	return a.lists.Put(ctx, "cron:last-sweep", ev.ScheduledTime.Format("2006-01-02T15:04:05Z"), 0)
}

func main() {
	a := newApp()
	cron.ScheduleTaskNonBlock(a.cronTask)
	workers.ServeNonBlock(a.routes())
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
