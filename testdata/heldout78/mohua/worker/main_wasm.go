//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"
)

// summarize writes the daily summary once per cron tick.
func (a *app) summarize(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	res, err := a.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "collection:1:", Limit: 1000})
	if err != nil {
		return err
	}
	summary := map[string]any{"collections": len(res.Keys), "partial": !res.ListComplete, "at": ev.ScheduledTime.UTC()}
	buf, _ := json.Marshal(summary)
	return a.kv.PutString("summary:daily", string(buf), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int((36 * time.Hour).Seconds())})
}

func main() {
	ns, err := cloudflare.NewKVNamespace("MOHUA_KV")
	if err != nil {
		panic(err)
	}
	a := &app{kv: ns}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/balance/{holder}/{contract}", a.balance)
	mux.HandleFunc("GET /v1/owner/{contract}/{id}", a.owner)
	mux.HandleFunc("GET /v1/quote/{symbol}", a.quote)
	mux.HandleFunc("GET /v1/gas", a.gasPrice)
	mux.HandleFunc("GET /v1/holders/{contract}", a.holders)
	mux.HandleFunc("GET /v1/holders/{contract}/keys", a.holderKeys)
	mux.HandleFunc("GET /v1/holders/{contract}/export", a.exportHolders)
	mux.HandleFunc("GET /v1/collections", a.collections)
	mux.HandleFunc("GET /v1/tokens/{contract}", a.tokenPage)
	mux.HandleFunc("GET /v1/tokens/{contract}/stale", a.staleMeta)
	mux.HandleFunc("GET /v1/profiles/{addr}", a.profileView)
	mux.HandleFunc("POST /v1/profiles/{addr}/links", a.addLink)
	mux.HandleFunc("GET /v1/wallets/{addr}/sessions", a.sessionsOf)
	mux.HandleFunc("POST /auth/attempt", a.loginAttempt)
	mux.HandleFunc("GET /auth/magic", a.magicLink)
	mux.HandleFunc("GET /auth/start", a.startOAuth)
	mux.HandleFunc("GET /auth/callback", a.oauthCallback)
	mux.HandleFunc("POST /admin/banner", a.banner)
	mux.HandleFunc("POST /admin/announce", a.announce)

	cron.ScheduleTaskNonBlock(a.summarize)
	queues.ConsumeNonBlock(func(batch *queues.MessageBatch) error {
		msgs := make([]queued, 0, len(batch.Messages))
		for _, m := range batch.Messages {
			s, err := m.StringBody()
			if err != nil {
				m.Retry()
				continue
			}
			var q queued
			if err := json.Unmarshal([]byte(s), &q); err != nil {
				m.Ack()
				continue
			}
			msgs = append(msgs, q)
		}
		if err := a.consume(ns, msgs); err != nil {
			return fmt.Errorf("consume %s: %w", batch.Queue, err)
		}
		batch.AckAll()
		return nil
	})
	workers.Serve(mux)
}
