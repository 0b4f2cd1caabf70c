//go:build js && wasm

// Command worker is the ledger Cloudflare Worker: HTTP API, cron triggers
// and the LEDGER_EVENTS queue consumer.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/ledger/internal/cronjobs"
	"example.com/ledger/internal/deps"
	"example.com/ledger/internal/httpapi"
	"example.com/ledger/internal/queuebridge"
	"example.com/ledger/internal/queueconsumer"
	"example.com/ledger/internal/wiring"
)

func main() {
	reg, err := wiring.Build()
	if err != nil {
		fatal(err)
	}
	api, err := httpapi.New(reg)
	if err != nil {
		fatal(err)
	}
	jobs, err := cronjobs.New(reg)
	if err != nil {
		fatal(err)
	}
	consumer := reg.MustLookup(deps.Consumer).(*queueconsumer.Consumer)

	workers.ServeNonBlock(withRecover(api))
	cron.ScheduleTaskNonBlock(jobs.Run)
	queuebridge.ConsumeNonBlock(func(ctx context.Context, msgs []queueconsumer.Message) error {
		return consumer.Handle(ctx, msgs)
	})
	workers.Ready()

	select {
	case <-workers.Done():
	case <-cron.Done():
	case <-queuebridge.Done():
	}
}

func withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				slog.Error("panic", "value", fmt.Sprint(v), "path", r.URL.Path)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "ledger worker:", err)
	os.Exit(1)
}
