//go:build js && wasm

// Command worker is the edge Worker in front of the kinglet backend. It
// serves the public payment pages and the portal login callback, refreshes
// the exchange-rate cache on a cron trigger and consumes payment events
// from a queue.
package main

import (
	"context"
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"
)

// edge bundles the bindings the three entry points share.
type edge struct {
	cache    *kv.Namespace
	sessions *kv.Namespace
	links    *kv.Namespace
	origin   string
	http     *http.Client
}

func mustNamespace(name string) *kv.Namespace {
	ns, err := kv.NewNamespace(name)
	if err != nil {
		panic(err)
	}
	return ns
}

func newEdge() *edge {
	return &edge{
		cache:    mustNamespace("KINGLET_CACHE"),
		sessions: mustNamespace("KINGLET_SESSIONS"),
		links:    mustNamespace("KINGLET_LINKS"),
		origin:   cloudflare.Getenv("ORIGIN_URL"),
		http:     fetch.NewClient().HTTPClient(fetch.RedirectModeFollow),
	}
}

func (e *edge) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /fx/{base}", e.rates)
	mux.HandleFunc("GET /pay/{token}", e.payPage)
	mux.HandleFunc("GET /invoice/{number}/status", e.invoiceStatus)
	mux.HandleFunc("POST /portal/login", e.login)
	mux.HandleFunc("GET /oauth/callback", e.oauthCallback)
	return mux
}

func main() {
	e := newEdge()
	queues.ConsumeNonBlock(e.consumePayments)
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		return e.refreshRates(ctx, time.Now().UTC())
	})
	workers.ServeNonBlock(e.routes())
	workers.Ready()
	<-workers.Done()
}
