//go:build js && wasm

package edge

import (
	"net/http"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"

	"wryneck/worker/edgekv"
)

// App holds the Worker's bindings.
type App struct {
	links, prefs, sessions, cache *edgekv.Namespace
	stats, counters               *cloudflare.KVNamespace
	deliveries, mailer, verify    *queues.Producer
	renderer                      string
	Scheduler                     *Scheduler
}

// New binds everything declared in wrangler.toml.
func New(renderer string) (*App, error) {
	a := &App{renderer: renderer}
	var err error
	for _, b := range []struct {
		dst  **edgekv.Namespace
		name string
	}{{&a.links, "LINKS"}, {&a.prefs, "PREFS"}, {&a.sessions, "SESSIONS"}, {&a.cache, "TEMPLATES"}} {
		if *b.dst, err = edgekv.Open(b.name); err != nil {
			return nil, err
		}
	}
	if a.stats, err = cloudflare.NewKVNamespace("STATS"); err != nil {
		return nil, err
	}
	if a.counters, err = cloudflare.NewKVNamespace("COUNTERS"); err != nil {
		return nil, err
	}
	if a.deliveries, err = queues.NewProducer("DELIVERIES"); err != nil {
		return nil, err
	}
	if a.mailer, err = queues.NewProducer("MAILER"); err != nil {
		return nil, err
	}
	if a.verify, err = queues.NewProducer("DOMAIN_VERIFY"); err != nil {
		return nil, err
	}
	a.Scheduler = &Scheduler{KV: a.cache.KVNamespace, Quotas: a.counters, Deliveries: a.deliveries}
	return a, nil
}

// Routes builds the Worker's router.
func (a *App) Routes() http.Handler {
	tpl := templateCache{kv: a.cache, renderer: a.renderer}
	mux := http.NewServeMux()
	mux.Handle("GET /u/{token}", unsubscribeGuard{counters: a.counters, next: unsubscribeHandler{links: a.links, prefs: a.prefs}})
	mux.Handle("POST /u/{token}", unsubscribeHandler{links: a.links, prefs: a.prefs})
	mux.Handle("GET /preferences", preferenceCenter{sessions: a.sessions, prefs: a.prefs})
	mux.Handle("POST /preferences/login", magicLinkHandler{kv: a.links.KVNamespace, mailer: a.mailer})
	mux.Handle("POST /signup/pending", pendingHandler{kv: a.links.KVNamespace})
	mux.Handle("GET /o/{campaign}/{recipient}", openPixel{stats: a.stats})
	mux.Handle("GET /archive/{issue}", archiveHandler{cache: a.cache.KVNamespace})
	mux.Handle("GET /editor/{campaign}/preview", previewHandler{tpl: tpl, raw: a.cache.KVNamespace})
	mux.Handle("GET /editor/{campaign}/draft", draftHandler{raw: a.cache.KVNamespace})
	mux.Handle("POST /senders/domains/{domain}", domainHandler{kv: a.stats, verify: a.verify})
	mux.Handle("GET /internal/blocked", blockHandler{kv: a.prefs.KVNamespace})
	mux.HandleFunc("POST /internal/warm/{campaign}", func(w http.ResponseWriter, r *http.Request) {
		if err := tpl.Warm(r.Context(), r.PathValue("campaign"), r.URL.Query()["locale"]); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}
