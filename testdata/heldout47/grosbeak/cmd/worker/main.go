//go:build js && wasm

// Command worker is the museum's public edge Worker.
package main

import (
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"

	"grosbeak/internal/audio"
	"grosbeak/internal/entry"
	"grosbeak/internal/exhibits"
	"grosbeak/internal/kvstore"
	"grosbeak/internal/members"
)

var (
	entrySvc   = &entry.Service{Now: time.Now}
	memberSvc  = &members.Service{Mailer: sendMail}
	exhibitSvc = &exhibits.Service{Origin: "https://cms.museum.example"}
	audioSvc   = &audio.Service{}
)

var routes = map[string]http.HandlerFunc{
	"POST /slots/reserve":        entrySvc.Reserve,
	"GET /slots/day":             entrySvc.Day,
	"GET /slots/summary":         entrySvc.Summary,
	"GET /slots/holds":           entrySvc.Holds,
	"GET /qr/scan":               entrySvc.Scan,
	"GET /qr/lookup":             entrySvc.Lookup,
	"POST /qr/revoke":            entrySvc.Revoke,
	"POST /members/link":         memberSvc.RequestLink,
	"GET /members/callback":      memberSvc.Callback,
	"POST /members/refresh":      memberSvc.Refresh,
	"POST /members/logout":       memberSvc.Logout,
	"POST /members/signout-all":  memberSvc.SignOutEverywhere,
	"GET /members/oauth":         memberSvc.OAuthStart,
	"GET /members/oauth/cb":      memberSvc.OAuthCallback,
	"GET /members/pass":          memberSvc.Pass,
	"POST /members/pass/renew":   memberSvc.Renew,
	"POST /members/pass/guest":   memberSvc.AddGuest,
	"GET /exhibits/search":       exhibitSvc.Search,
	"GET /banner":                exhibitSvc.Banner,
	"POST /exhibits/related":     exhibitSvc.Related,
	"POST /exhibits/flush-views": exhibitSvc.FlushViews,
	"POST /exhibits/purge":       exhibitSvc.Purge,
	"POST /audio/upload":         audioSvc.Upload,
	"GET /audio/play":            audioSvc.Play,
	"POST /audio/log":            audioSvc.IngestLog,
}

func sendMail(to, subject, body string) error {
	log.Printf("mail to=%s subject=%q (%d bytes)", to, subject, len(body))
	return nil
}

func bind() error {
	var err error
	stores := map[string]**kvstore.Store{
		"SLOTS":  &entrySvc.Slots,
		"CODES":  &entrySvc.Codes,
		"AUTH":   &memberSvc.Auth,
		"PASSES": &memberSvc.Passes,
		"PAGES":  &exhibitSvc.Cache,
		"AUDIO":  &audioSvc.Blobs,
	}
	for name, dst := range stores {
		if *dst, err = kvstore.Open(name); err != nil {
			return err
		}
	}
	return nil
}

func serve(w http.ResponseWriter, r *http.Request) {
	if err := bind(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if h, ok := routes[r.Method+" "+r.URL.Path]; ok {
		h(w, r)
		return
	}
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/exhibits/") {
		exhibits.Track(strings.TrimPrefix(r.URL.Path, "/exhibits/"))
		exhibitSvc.Page(w, r)
		return
	}
	http.Error(w, fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path), http.StatusNotFound)
}

func main() {
	workers.Serve(http.HandlerFunc(serve))
}
