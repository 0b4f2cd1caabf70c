//go:build js && wasm

// Command edge is the Worker in front of the ticketing site: gate
// scanners, member sign-in and audio guides, plus the scheduled tasks.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/edge/audio"
	"example.com/heron/internal/edge/cronjobs"
	"example.com/heron/internal/edge/gate"
	"example.com/heron/internal/edge/kvstore"
	"example.com/heron/internal/edge/session"
	"example.com/heron/internal/events"
	"example.com/heron/internal/httpx"
)

type app struct {
	handler http.Handler
	jobs    *cronjobs.Jobs
}

// build wires the services. The KV binding is only reachable once the
// runtime has handed us an env, so this runs on the first request or cron
// event rather than in main.
var build = sync.OnceValues(func() (*app, error) {
	st, err := kvstore.Default()
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	hc := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
	hc.Timeout = 20 * time.Second
	crm := strings.TrimRight(cloudflare.Getenv("CRM_URL"), "/")

	bus := &events.Bus{}
	bus.Subscribe(
		gate.VisitCounter{B: st.Bucket("visits")},
		gate.LobbyBoard(st.Bucket("board")),
	)

	g := gate.New(st, kvstore.StartActor(ctx, st.Root()), bus)
	sess := session.New(st, kvstore.StartActor(ctx, st.Bucket("cart")), crmAuth{hc: hc, base: crm})
	au := audio.New(st, cloudflare.Getenv("PUBLIC_URL"))

	staff := httpx.RequireHeader("X-Staff-Device")
	mux := http.NewServeMux()
	mux.Handle("POST /gate/scan", staff(httpx.JSON(g.Scan)))
	mux.Handle("POST /gate/scanners", staff(httpx.JSON(g.RegisterScanner)))
	mux.Handle("POST /gate/incidents", staff(httpx.JSON(g.LogIncident)))
	mux.Handle("POST /gate/passes", staff(httpx.JSON(g.SlotPasses)))

	mux.Handle("GET /login/challenge", httpx.JSON(sess.Challenge))
	mux.Handle("POST /login", httpx.JSON(sess.Login))
	mux.Handle("POST /logout", httpx.JSON(sess.Logout))
	mux.Handle("POST /login/magic", httpx.JSON(sess.SendMagicLink))
	mux.Handle("POST /login/magic/redeem", httpx.JSON(sess.RedeemMagicLink))
	mux.Handle("POST /cart", sess.Middleware(httpx.JSON(sess.AddToCart)))
	mux.Handle("POST /members/comp", sess.Middleware(httpx.JSON(g.CompTicket)))

	mux.Handle("GET /audio/tracks/{id}", httpx.JSON(au.Track))
	mux.Handle("POST /audio/tracks/{id}/link", sess.Middleware(httpx.JSON(au.IssueLink)))
	mux.HandleFunc("GET /audio/dl/{token}", au.Download)
	mux.Handle("PUT /audio/files/{lang}/{exhibit}/{track}", staff(http.HandlerFunc(au.Upload)))

	return &app{
		handler: httpx.Chain(mux, httpx.Recover),
		jobs:    cronjobs.New(st, hc),
	}, nil
})

func serve(w http.ResponseWriter, r *http.Request) {
	a, err := build()
	if err != nil {
		httpx.WriteError(w, err)
		return
	}
	a.handler.ServeHTTP(w, r)
}

func scheduled(ctx context.Context) error {
	a, err := build()
	if err != nil {
		return err
	}
	return a.jobs.Run(ctx)
}

// crmAuth checks member credentials with the membership CRM.
type crmAuth struct {
	hc   *http.Client
	base string
}

func (o crmAuth) Authenticate(ctx context.Context, email, password string) (domain.Member, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.base+"/auth", strings.NewReader(string(body)))
	if err != nil {
		return domain.Member{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := o.hc.Do(req)
	if err != nil {
		return domain.Member{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return domain.Member{}, fmt.Errorf("auth: %s", res.Status)
	}
	var m domain.Member
	return m, json.NewDecoder(res.Body).Decode(&m)
}

func main() {
	workers.ServeNonBlock(http.HandlerFunc(serve))
	cron.ScheduleTaskNonBlock(scheduled)
	workers.Ready()
	<-workers.Done()
}
