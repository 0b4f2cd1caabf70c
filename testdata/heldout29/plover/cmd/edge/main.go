//go:build js && wasm

// Command edge is the league's Cloudflare Worker: sign-in, invites, score
// reporting and the public standings pages, plus the scheduled jobs.
package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/plover/internal/edge/invites"
	"example.com/plover/internal/edge/kvactor"
	"example.com/plover/internal/edge/kvbind"
	"example.com/plover/internal/edge/payments"
	"example.com/plover/internal/edge/scores"
	"example.com/plover/internal/edge/sessions"
	"example.com/plover/internal/edge/standings"
	"example.com/plover/internal/edge/tasks"
	"example.com/plover/internal/edge/throttle"
	"example.com/plover/internal/httpx"
	"example.com/plover/internal/league"
)

func main() {
	kv, err := kvbind.Default()
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	actor := kvactor.Start(ctx, kv, 64)

	origin := newBackend(cloudflare.Getenv("BACKEND_URL"), cloudflare.Getenv("BACKEND_TOKEN"))

	bus := &league.Bus{}
	auth := sessions.New(kv, actor, origin, cloudflare.Getenv("PIN_PEPPER"), cloudflare.Getenv("PUBLIC_URL"))
	inv := invites.New(kv, bus)
	sc := scores.New(kv, actor, bus, scores.WithDailyQuota(60))
	st := standings.New(kv, actor, origin)
	pm := payments.New(kv, origin, cloudflare.Getenv("PAYMENTS_WEBHOOK_SECRET"))

	sc.Register(bus)
	st.Register(bus)
	slog.Info("edge wired", "listeners", bus.Len())

	signedIn := func(h http.Handler) http.Handler { return auth.Authenticate(h) }

	mux := http.NewServeMux()
	// public
	mux.Handle("POST /auth/login", httpx.JSON(auth.Login))
	mux.Handle("POST /auth/magic", httpx.JSON(auth.SendMagicLink))
	mux.Handle("POST /auth/magic/redeem", httpx.JSON(auth.RedeemMagicLink))
	mux.Handle("GET /standings/{season}", httpx.Get(st.Table))
	mux.Handle("GET /standings/{season}/players", httpx.Get(st.PlayerCount))
	mux.Handle("GET /banner", httpx.Get(st.Banner))
	mux.Handle("GET /matches/{id}/events", httpx.Get(sc.Events))
	mux.Handle("GET /matches/{id}/box", httpx.Get(sc.Box))
	mux.Handle("GET /invites/{code}", httpx.Get(inv.Preview))
	mux.Handle("POST /tryouts/pass", httpx.JSON(inv.TryoutPass))
	mux.HandleFunc("POST /payments/webhook", pm.Webhook)

	// signed in
	mux.Handle("POST /auth/logout", signedIn(httpx.JSON(auth.Logout)))
	mux.Handle("POST /auth/child", signedIn(httpx.JSON(auth.SwitchChild)))
	mux.Handle("GET /auth/csrf", signedIn(httpx.JSON(auth.IssueCSRF)))
	mux.Handle("POST /invites", signedIn(httpx.JSON(inv.Create)))
	mux.Handle("POST /invites/claim", signedIn(httpx.JSON(inv.Claim)))
	mux.Handle("POST /invites/redeem", signedIn(httpx.JSON(inv.Redeem)))
	mux.Handle("POST /matches/{id}/score", signedIn(httpx.JSON(sc.Report)))
	mux.Handle("POST /matches/{id}/hold", signedIn(httpx.JSON(sc.Hold)))
	mux.Handle("POST /matches/{id}/lineup", signedIn(httpx.JSON(sc.PostLineup)))
	mux.Handle("POST /matches/{id}/events", signedIn(httpx.JSON(sc.AppendEvent)))
	mux.Handle("PUT /matches/{id}/sheet", signedIn(http.HandlerFunc(sc.UploadSheet)))
	mux.Handle("POST /payments/checkout", signedIn(httpx.JSON(pm.Checkout)))

	limiter := throttle.NewLimiter(kv, 300)
	handler := httpx.Chain(mux, httpx.Recover, limiter.Middleware)

	jobs := tasks.New(kv, actor, origin, 20)
	cron.ScheduleTaskNonBlock(jobs.Run)
	workers.Serve(handler)
}
