//go:build js && wasm

// Command worker is the edge Worker: public pages, venue gates and the
// waiting room's status endpoints.
package main

import (
	"io"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/juniper/edge/gate"
	"example.com/juniper/edge/kvbind"
	"example.com/juniper/edge/metrics"
	"example.com/juniper/edge/pages"
)

type originClient struct {
	base string
}

func (o originClient) Event(r *http.Request, id string) ([]byte, error) {
	req, err := fetch.NewRequest(r.Context(), http.MethodGet, o.base+"/v1/events/"+id, nil)
	if err != nil {
		return nil, err
	}
	res, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, http.ErrMissingFile
	}
	return io.ReadAll(io.LimitReader(res.Body, 1<<20))
}

func main() {
	if err := kvbind.Init("TICKETS_KV"); err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	for pattern, h := range gate.Routes() {
		mux.HandleFunc(pattern, h)
	}
	pages.New(originClient{base: cloudflare.Getenv("ORIGIN_URL")}).Register(mux)

	cron.ScheduleTaskNonBlock(metrics.Heartbeat)
	workers.Serve(metrics.Middleware(mux))
}
