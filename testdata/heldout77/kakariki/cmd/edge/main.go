//go:build js && wasm

// Command edge is the Cloudflare Worker in front of the assistant API. It
// serves public share links, throttles anonymous traffic and checks sessions
// before forwarding to the origin.
package main

import (
	"log"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

func main() {
	ns, err := cloudflare.NewKVNamespace("KAKARIKI_KV")
	if err != nil {
		log.Fatalf("edge: KV binding: %v", err)
	}
	e := &edge{kv: ns, origin: cloudflare.Getenv("ORIGIN_URL")}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{token}", e.sharedConversation)
	mux.HandleFunc("GET /v1/welcome", e.welcome)
	mux.HandleFunc("POST /v1/typing/{conv}", e.typing)
	mux.HandleFunc("POST /v1/logout", e.logout)
	mux.HandleFunc("POST /v1/login", e.login)
	mux.HandleFunc("/", e.forward)

	cron.ScheduleTaskNonBlock(e.scheduled)
	workers.ServeNonBlock(mux)
	workers.Ready()
	<-workers.Done()
}
