//go:build js && wasm

// Command korimako-edge is the Worker entry point. Build with
//
//	GOOS=js GOARCH=wasm go build -o build/app.wasm ./cmd/korimako-edge
package main

import (
	"context"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/korimako/korimako/worker/edge"
)

func main() {
	var e *edge.Edge
	open := func() (*edge.Edge, error) {
		if e != nil {
			return e, nil
		}
		var err error
		e, err = edge.Open()
		return e, err
	}
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		e, err := open()
		if err != nil {
			return err
		}
		return e.Nightly(ctx)
	})
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := open()
		if err != nil {
			http.Error(w, "misconfigured", http.StatusInternalServerError)
			return
		}
		e.Handler().ServeHTTP(w, r)
	}))
}
