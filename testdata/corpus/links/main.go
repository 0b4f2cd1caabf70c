package main

import (
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/links/api"
	"example.com/links/jobs"
)

func main() {
	http.HandleFunc("GET /{slug}", api.Redirect)
	http.HandleFunc("GET /api/links", api.Mine)
	http.HandleFunc("POST /api/links", api.Shorten)
	http.HandleFunc("POST /api/links/batch", api.ShortenBatch)
	http.HandleFunc("PATCH /api/links/{slug}/url", api.UpdateURL)
	http.HandleFunc("PUT /api/links/{slug}/tags", api.SetTags)
	http.HandleFunc("POST /api/links/{slug}/rename", api.Rename)
	http.HandleFunc("POST /api/links/{slug}/notes", api.AddNote)
	http.HandleFunc("GET /api/links/{slug}/utm", api.UTM)
	http.HandleFunc("PUT /api/links/{slug}/utm", api.SetUTM)
	http.HandleFunc("DELETE /api/links/{slug}", api.Delete)
	http.HandleFunc("GET /api/links/{slug}/preview", api.Preview)
	http.HandleFunc("GET /api/links/{slug}/thumbnail", api.Thumbnail)
	http.HandleFunc("POST /api/links/{slug}/report", api.Report)
	http.HandleFunc("GET /api/favicons/{host}", api.Favicon)
	http.HandleFunc("GET /api/tags", api.TagCloud)
	http.HandleFunc("GET /api/tags/{tag}", api.TagPage)
	http.HandleFunc("PUT /api/tags/{tag}/{slug}", api.Tag)
	http.HandleFunc("DELETE /api/tags/{tag}/{slug}", api.Untag)
	http.HandleFunc("POST /api/exports", api.Export)
	http.HandleFunc("GET /exports/{id}", api.Download)

	http.HandleFunc("GET /admin/reports/{slug}", api.Reports)
	http.HandleFunc("PUT /admin/blocklist/{domain}", api.Block)
	http.HandleFunc("DELETE /admin/blocklist/{domain}", api.Unblock)
	http.HandleFunc("PUT /admin/config", api.SiteConfig)
	http.HandleFunc("POST /admin/promo", api.Promo)
	http.HandleFunc("POST /admin/drain", api.Drain)
	http.HandleFunc("POST /admin/announce", api.Announce)

	workers.ServeNonBlock(nil)
	cron.ScheduleTaskNonBlock(jobs.Task)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
