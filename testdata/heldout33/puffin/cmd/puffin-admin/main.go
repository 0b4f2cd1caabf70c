// Command puffin-admin serves the organiser dashboard API: attendee lists,
// badge operations, waitlists, speaker profiles and the organiser SSO.
package main

import (
	"log"
	"net/http"
	"os"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"github.com/confhub/puffin/internal/badges"
	"github.com/confhub/puffin/internal/kvx"
	"github.com/confhub/puffin/internal/roster"
	"github.com/confhub/puffin/internal/speakers"
	"github.com/confhub/puffin/internal/waitlist"
)

func main() {
	account := mustEnv("CF_ACCOUNT_ID")
	api := cloudflare.NewClient(
		option.WithAPIToken(mustEnv("CF_API_TOKEN")),
		option.WithMaxRetries(3),
	)
	badgeKV := kvx.New(api, account, mustEnv("KV_BADGES"))
	programKV := kvx.New(api, account, mustEnv("KV_PROGRAM"))
	portalNS := mustEnv("KV_PORTAL")
	portalKV := kvx.New(api, account, portalNS)

	b := badges.New(badgeKV, []byte(mustEnv("BADGE_SIGNING_SECRET")))
	r := roster.New(badgeKV)
	wl := waitlist.New(programKV)
	sp := speakers.New(api, account, portalNS)
	sso := ssoConfig{
		authorizeURL: mustEnv("SSO_AUTHORIZE_URL"),
		gatewayURL:   mustEnv("SSO_GATEWAY_URL"),
		clientID:     mustEnv("SSO_CLIENT_ID"),
		redirectURL:  mustEnv("SSO_REDIRECT_URL"),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /events/{event}", dashboardHome(badgeKV, r))
	mux.HandleFunc("GET /events/{event}/attendees", listAttendees(r, 100))
	mux.HandleFunc("GET /events/{event}/attendees.csv", exportCSV(r))
	mux.HandleFunc("GET /events/{event}/badges", badgeDrawer(r))
	mux.HandleFunc("GET /events/{event}/badges/{id}", badgeDetail(b))
	mux.HandleFunc("POST /events/{event}/badges/actions/{action}", badgeAction(b))
	mux.HandleFunc("POST /events/{event}/talks/{talk}/waitlist", joinWaitlist(wl))
	mux.HandleFunc("POST /events/{event}/talks/{talk}/promote", promote(wl))
	mux.HandleFunc("POST /speakers/{id}/slug", claimSlug(sp))
	mux.HandleFunc("PUT /speakers/{id}/bio", updateBio(sp))
	mux.HandleFunc("GET /speakers/{id}/photo", speakerPhoto(sp))
	mux.HandleFunc("POST /speakers/{id}/tokens", tokens(sp, "create"))
	mux.HandleFunc("DELETE /tokens/{token}", tokens(sp, "revoke"))
	mux.HandleFunc("POST /tokens/{token}/rotate", tokens(sp, "rotate"))
	mux.HandleFunc("GET /sso/start", ssoStart(portalKV, sso))
	mux.HandleFunc("GET /sso/callback", ssoCallback(portalKV, sso))

	srv := &http.Server{
		Addr:              ":" + envOr("PORT", "8080"),
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("puffin-admin listening on %s", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("%s is not set", name)
	}
	return v
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
