// Command sunbird-api runs the origin: the deploy API, the site file
// server, visitor sign-in and the API proxy.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"sunbird/internal/deploy"
	"sunbird/internal/kvstore"
	"sunbird/internal/proxy"
	"sunbird/internal/quota"
	"sunbird/internal/sites"
	"sunbird/internal/upstream"
	"sunbird/internal/visitors"
)

type upstreamTable struct {
	mu sync.RWMutex
	m  map[string]*url.URL
}

func (t *upstreamTable) Upstream(site string) (*url.URL, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	u, ok := t.m[site]
	return u, ok
}

type logMailer struct{}

func (logMailer) Send(_ context.Context, to, subject, body string) error {
	log.Printf("mail to=%s subject=%q body=%q", to, subject, body)
	return nil
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func main() {
	kv, err := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("SUNBIRD_KV_NAMESPACE"))
	if err != nil {
		log.Fatal(err)
	}
	domain := "sunbird.page"
	instance, _ := os.Hostname()

	jar := &upstream.KVJar{KV: kv, Scope: "origin", Default: envDuration("SUNBIRD_JAR_SESSION_TTL", 12*time.Hour)}
	clients := upstream.NewClients(kv, jar)

	q := &quota.Quotas{KV: kv, Billing: clients.Search, BillingURL: os.Getenv("SUNBIRD_BILLING_URL")}
	auth := &visitors.Auth{KV: kv, Mail: logMailer{}, Domain: domain}
	up := &deploy.Uploader{KV: kv}
	limit, _ := strconv.Atoi(os.Getenv("SUNBIRD_DEPLOY_LIMIT"))
	api := &deploy.API{Uploader: up, PreviewTTL: envDuration("SUNBIRD_PREVIEW_TTL", 7*24*time.Hour), DeployLimit: limit}
	ups := &upstreamTable{m: map[string]*url.URL{}}
	px := proxy.New(kv, ups, http.DefaultTransport)
	siteSrv := &sites.Server{KV: kv, Quotas: q, Auth: auth, Domain: domain}

	mux := http.NewServeMux()
	api.Routes(mux)
	mux.Handle("/sites/{site}/api/", px)
	mux.HandleFunc("POST /_auth/{site}/link", auth.RequestLink)
	mux.HandleFunc("GET /_auth/callback", auth.Callback)
	mux.HandleFunc("POST /_auth/logout", auth.Logout)
	mux.Handle("/", siteSrv)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := q.Flush(ctx, instance); err != nil {
					log.Printf("quota flush: %v", err)
				}
			}
		}
	}()

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
		_ = q.Flush(shutdown, instance)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
