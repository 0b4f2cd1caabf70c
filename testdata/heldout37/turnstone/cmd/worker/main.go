//go:build js && wasm

// Command worker is the Turnstone edge Worker: sign-up and sign-in, the page
// cache, publishing hooks, cron tasks and queue consumers.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/quillhaus/turnstone/internal/config"
	"github.com/quillhaus/turnstone/internal/jobs"
	"github.com/quillhaus/turnstone/internal/kvstore"
)

type namespaces struct {
	subs, sessions, pages, content *kvstore.Namespace
}

// open binds the KV namespaces. Bindings only exist inside an invocation, so
// this runs per request, cron tick and queue batch.
func open() (*namespaces, error) {
	var n namespaces
	var err error
	if n.subs, err = kvstore.Open(config.BindingSubscribers, 0); err != nil {
		return nil, err
	}
	if n.sessions, err = kvstore.Open(config.BindingSessions, 20*time.Second); err != nil { // EXPECT kvttl
		return nil, err
	}
	if n.pages, err = kvstore.Open(config.BindingPages, 0); err != nil {
		return nil, err
	}
	n.content, err = kvstore.Open(config.BindingContent, config.HotReadCache)
	return &n, err
}

func jobsEnv(log *slog.Logger) (*jobs.Env, error) {
	ns, err := open()
	if err != nil {
		return nil, err
	}
	mail, err := newMailer()
	return &jobs.Env{
		Subs: ns.subs, Pages: ns.pages, Content: ns.content,
		Origin: &httpOrigin{base: cloudflare.Getenv("ORIGIN_URL")},
		Mail:   mail,
		Host:   cloudflare.Getenv("PUBLIC_HOST"),
		Log:    log,
	}, err
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	metrics := kvstore.NewMetrics()

	workers.ServeNonBlock(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := newServices(log, metrics)
		if err != nil {
			log.Error("bindings", "err", err)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		s.routes().ServeHTTP(w, r)
	}))
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		env, err := jobsEnv(log)
		if err != nil {
			return err
		}
		return jobs.Scheduled(ctx, env)
	})
	queues.ConsumeNonBlock(func(batch *queues.MessageBatch) error {
		env, err := jobsEnv(log)
		if err != nil {
			return err
		}
		return jobs.HandleBatch(env, batch)
	})
	workers.Ready()
	<-workers.Done()
}
