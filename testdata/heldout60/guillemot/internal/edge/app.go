//go:build js && wasm

// Package edge is the forum's Worker: it checks sessions at the edge and
// serves public profile pages from KV.
package edge

import (
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/forumworks/guillemot/internal/edgekv"
)

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/edge")

const (
	sessionCookie = "guillemot_session"

	// profileCacheTTL is how long a profile fetched from the account
	// service stays in KV.
	profileCacheTTL = 10 * time.Minute
	// notFoundTTL is how long an unknown handle is remembered, in seconds.
	notFoundTTL = 30
	// viewFlushEvery is the number of views counted in memory before the
	// handle's total is written.
	viewFlushEvery = 50
)

// Profile is the public profile published by the account service.
type Profile struct {
	Handle      string    `json:"handle"`
	DisplayName string    `json:"display_name"`
	Bio         string    `json:"bio,omitempty"`
	Joined      time.Time `json:"joined"`
}

type flags struct {
	ShowViews bool `json:"show_views"`
	ShowBio   bool `json:"show_bio"`
}

var profilePage = template.Must(template.New("profile").Parse(`<!doctype html>
<title>{{.P.DisplayName}} (@{{.P.Handle}})</title>
{{if .Banner}}<div class="banner">{{.Banner}}</div>{{end}}
<h1>{{.P.DisplayName}}</h1><p>@{{.P.Handle}} · joined {{.P.Joined.Format "January 2006"}}</p>
{{if .Flags.ShowBio}}<p>{{.P.Bio}}</p>{{end}}
{{if .Flags.ShowViews}}<p>{{.Views}} views</p>{{end}}
`))

// App handles the Worker's requests.
type App struct {
	origin string
	mux    *http.ServeMux

	mu    sync.Mutex
	views map[string]int
}

// NewApp returns the Worker's handler. origin is the account service's base
// URL.
func NewApp(origin string) *App {
	a := &App{origin: origin, views: make(map[string]int)}
	a.mux = http.NewServeMux()
	a.mux.HandleFunc("GET /u/{handle}", a.profile)
	a.mux.HandleFunc("GET /me", a.me)
	a.mux.HandleFunc("POST /me/bio", a.editBio)
	return a
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if profiles, err := cloudflare.NewKVNamespace("PROFILES"); err == nil {
		_ = profiles.PutString("edge:last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	}
	a.mux.ServeHTTP(w, r)
}

func (a *App) profile(w http.ResponseWriter, r *http.Request) {
	ctx, span := tracer.Start(r.Context(), "edge.profile")
	defer span.End()
	handle := strings.ToLower(r.PathValue("handle"))
	span.SetAttributes(attribute.String("profile.handle", handle))

	profiles, err := edgekv.Open("PROFILES")
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if _, remembered, _ := profiles.Text(ctx, "profile-miss:"+handle, 0); remembered {
		http.NotFound(w, r)
		return
	}
	ns := profiles.KVNamespace
	raw, err := ns.GetString("profile:"+handle, &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 15, // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if raw == edgekv.Null {
		body, status, err := a.fetchProfile(r, handle)
		switch {
		case err != nil:
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		case status == http.StatusNotFound:
			_ = ns.PutString("profile-miss:"+handle, "1", &cloudflare.KVNamespacePutOptions{
				ExpirationTTL: notFoundTTL, // EXPECT kvttl
			})
			http.NotFound(w, r)
			return
		case status != http.StatusOK:
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		_ = ns.PutString("profile:"+handle, body, &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int(profileCacheTTL), // EXPECT kvttl
		})
		raw = body
	}
	var p Profile
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		http.Error(w, "bad profile", http.StatusInternalServerError)
		return
	}

	var f flags
	flagsRaw, _ := ns.GetString("flags:profiles", nil) // EXPECT kvnull
	if err := json.Unmarshal([]byte(flagsRaw), &f); err != nil {
		http.Error(w, "bad configuration", http.StatusInternalServerError)
		return
	}
	data := struct {
		P      Profile
		Flags  flags
		Banner string
		Views  int
	}{P: p, Flags: f, Views: a.countView(ns, handle)}
	if banner, err := ns.GetString("site:banner", &cloudflare.KVNamespaceGetOptions{CacheTTL: 300}); err == nil {
		if banner != "" { // EXPECT kvnull
			data.Banner = banner
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_ = profilePage.Execute(w, data)
}

// countView counts a view in the isolate and publishes the handle's count
// every viewFlushEvery views.
func (a *App) countView(ns *cloudflare.KVNamespace, handle string) int {
	a.mu.Lock()
	a.views[handle]++
	n := a.views[handle]
	a.mu.Unlock()
	if n%viewFlushEvery == 0 {
		cloudflare.WaitUntil(func() {
			_ = ns.PutString("views:"+handle, strconv.Itoa(n), nil) // EXPECT kvcounter
		})
	}
	return n
}

// fetchProfile asks the account service for a profile that is not in KV.
func (a *App) fetchProfile(r *http.Request, handle string) (string, int, error) {
	req, err := fetch.NewRequest(r.Context(), http.MethodGet, a.origin+"/profiles/"+url.PathEscape(handle), nil)
	if err != nil {
		return "", 0, err
	}
	resp, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return string(body), resp.StatusCode, err
}
