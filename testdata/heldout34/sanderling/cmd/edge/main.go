//go:build js && wasm

// Command edge is the helpdesk's Cloudflare Worker: it serves the chat widget,
// agent sign-in and canned replies, and runs the edge cron tasks.
package main

import (
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/helpdeskco/sanderling/internal/agents"
	"github.com/helpdeskco/sanderling/internal/canned"
	"github.com/helpdeskco/sanderling/internal/config"
	"github.com/helpdeskco/sanderling/internal/edgekv"
	"github.com/helpdeskco/sanderling/internal/jobs"
	"github.com/helpdeskco/sanderling/internal/origin"
	"github.com/helpdeskco/sanderling/internal/widget"
)

func main() {
	if err := edgekv.Init(); err != nil {
		log.Fatalf("kv bindings: %v", err)
	}
	cfg := config.Load(cloudflare.Getenv)
	oc := origin.New(cfg.Widget.Origin)

	wid := widget.New(cfg, oc)
	ag := agents.New(cfg, oc)
	cr := canned.New(cfg, oc)

	routes := []struct {
		pattern string
		maxAge  time.Duration
		handler http.HandlerFunc
	}{
		{"GET /widget/bootstrap", time.Minute, wid.Bootstrap},
		{"POST /widget/messages", 0, wid.PostMessage},
		{"POST /widget/typing", 0, wid.Typing},
		{"GET /widget/transcript", 0, wid.Transcript},
		{"GET /admin/widget/{site}/preview", 0, wid.PreviewConfig},
		{"PUT /admin/widget/theme", 0, ag.RequireCSRF(wid.PublishTheme)},
		{"POST /agent/login/code", 0, ag.RequestCode},
		{"POST /agent/login/verify", 0, ag.VerifyCode},
		{"POST /agent/refresh", 0, ag.Refresh},
		{"POST /agent/logout", 0, ag.Logout},
		{"GET /canned/{team}", 30 * time.Second, cr.ServeTeam},
		{"GET /canned/{team}/{id}", 5 * time.Minute, cr.ServeReply},
		{"POST /canned/{team}/{id}/use", 0, ag.RequireCSRF(cr.ServeUse)},
		{"PUT /canned/{team}/shortcuts/{name}", 0, ag.RequireCSRF(cr.ServeClaim)},
	}
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.pattern, cacheFor(rt.maxAge, rt.handler))
	}
	wid.RegisterKB(mux)

	tick := jobs.Sequence(
		jobs.Logged("warm-configs", jobs.WithTimeout(20*time.Second, wid.WarmConfigs)),
		jobs.Logged("canned-catalog", jobs.WithRetry(3, 500*time.Millisecond, cr.RefreshCatalog)),
	)
	cron.ScheduleTaskNonBlock(cron.Task(tick))
	workers.Serve(mux)
}

// cacheFor sets Cache-Control on successful GET responses.
func cacheFor(maxAge time.Duration, h http.HandlerFunc) http.Handler {
	if maxAge <= 0 {
		return h
	}
	header := fmt.Sprintf("public, max-age=%d", int(maxAge/time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", header)
		h(w, r)
	})
}
