//go:build js && wasm

// Command edge is the Cloudflare Worker in front of the gateways and the
// operator dashboard.
package main

import (
	"context"
	"database/sql"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	_ "github.com/syumai/workers/cloudflare/d1"

	"github.com/piopio/greenhouse/internal/edge"
)

func mustStore(binding string) *edge.Store {
	s, err := edge.Open(binding)
	if err != nil {
		panic(err)
	}
	return s
}

func main() {
	db, err := sql.Open("d1", "DB")
	if err != nil {
		panic(err)
	}
	var (
		data  *edge.Store
		stats *edge.Store
		auth  *edge.Store
	)
	bind := func() {
		if data == nil {
			data, stats, auth = mustStore("TELEMETRY"), mustStore("STATS"), mustStore("AUTH")
		}
	}

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		bind()
		f := &edge.Fleet{Data: data, DB: db}
		if ev, err := cron.NewEvent(ctx); err == nil && ev.Cron == "5 0 * * *" {
			return f.Daily(ctx)
		}
		return f.Hourly(ctx)
	})

	mux := http.NewServeMux()
	handle := func(pattern string, h func(http.ResponseWriter, *http.Request)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			bind()
			h(w, r)
		})
	}
	handle("POST /v1/readings", func(w http.ResponseWriter, r *http.Request) {
		(&edge.Ingest{Data: data, Stats: stats}).ServeHTTP(w, r)
	})
	handle("GET /dash/{gh}", func(w http.ResponseWriter, r *http.Request) {
		(&edge.Dashboard{Data: data, DB: db}).Overview(w, r)
	})
	handle("GET /dash/{gh}/chart", func(w http.ResponseWriter, r *http.Request) {
		(&edge.Dashboard{Data: data, DB: db}).Chart(w, r)
	})
	handle("POST /dash/{gh}/alerts/{id}/ack", func(w http.ResponseWriter, r *http.Request) {
		(&edge.Sessions{Auth: auth}).Require((&edge.Dashboard{Data: data, DB: db}).Ack)(w, r)
	})
	handle("POST /slugs/{slug}", func(w http.ResponseWriter, r *http.Request) {
		(&edge.Sessions{Auth: auth}).Require((&edge.Dashboard{Data: data, DB: db}).Claim)(w, r)
	})
	handle("POST /auth/start", func(w http.ResponseWriter, r *http.Request) {
		op := r.Header.Get("Cf-Access-Authenticated-User-Email")
		if op == "" {
			http.Error(w, "access required", http.StatusUnauthorized)
			return
		}
		if _, err := (&edge.Sessions{Auth: auth}).Start(w, op); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	})
	handle("POST /auth/end", func(w http.ResponseWriter, r *http.Request) {
		m := &edge.Sessions{Auth: auth}
		m.Require(m.End)(w, r)
	})
	workers.Serve(mux)
}
