//go:build js && wasm

// Command edge is the registration Worker. Build with
// GOOS=js GOARCH=wasm go build -o build/app.wasm ./cmd/edge.
package main

import (
	"context"
	"net/http"

	"github.com/samber/do"
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/kokako-uni/kokako/internal/edge"
)

func main() {
	i := edge.NewInjector()

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		term := cloudflare.Getenv("CURRENT_TERM")
		if err := do.MustInvoke[*edge.Availability](i).RefreshFromD1(term); err != nil {
			return err
		}
		return do.MustInvoke[*edge.SectionIndex](i).Prune(term)
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /sections/{id}/availability", func(w http.ResponseWriter, r *http.Request) {
		do.MustInvoke[*edge.Availability](i).ServeSection(w, r)
	})
	mux.HandleFunc("POST /sections/{id}/hold", func(w http.ResponseWriter, r *http.Request) {
		do.MustInvoke[*edge.Availability](i).Hold(w, r)
	})
	mux.HandleFunc("GET /terms/{term}", func(w http.ResponseWriter, r *http.Request) {
		do.MustInvoke[*edge.Availability](i).ServeTerm(w, r)
	})
	mux.HandleFunc("GET /terms/{term}/sections", func(w http.ResponseWriter, r *http.Request) {
		do.MustInvoke[*edge.SectionIndex](i).ServeSections(w, r)
	})
	mux.HandleFunc("GET /terms/{term}/sections/{id}", func(w http.ResponseWriter, r *http.Request) {
		do.MustInvoke[*edge.Availability](i).ServeSectionSettings(w, r)
	})
	mux.HandleFunc("POST /admin/notice", func(w http.ResponseWriter, r *http.Request) {
		do.MustInvoke[*edge.Availability](i).PostNotice(w, r)
	})
	mux.HandleFunc("POST /terms/{term}/pin", func(w http.ResponseWriter, r *http.Request) {
		do.MustInvoke[*edge.PINGate](i).ServeHTTP(w, r)
	})

	workers.ServeNonBlock(mux)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
