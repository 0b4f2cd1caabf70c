// Command tls-edge terminates TLS for customers' custom domains. Certificates
// are obtained on demand and shared with the other terminators through KV.
package main

import (
	"context"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"github.com/portwell/nutcracker/internal/kvstore"
	"github.com/portwell/nutcracker/internal/tlsstore"
)

func main() {
	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	ns := kvstore.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("TLS_KV_NAMESPACE"))

	lockTTL, _ := time.ParseDuration(os.Getenv("TLS_LOCK_TTL"))
	storage := tlsstore.New(ns, tlsstore.Config{Prefix: "certmagic", LockTTL: lockTTL})
	perHour, _ := strconv.Atoi(os.Getenv("TLS_MAX_ISSUANCE_PER_HOUR"))
	gate := tlsstore.NewGatekeeper(ns, max(perHour, 3))

	var cfg *certmagic.Config
	cache := certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return cfg, nil },
	})
	cfg = certmagic.New(cache, certmagic.Config{
		Storage:  storage,
		OnDemand: &certmagic.OnDemandConfig{DecisionFunc: gate.Allow},
		OnEvent:  gate.Observe,
	})
	cfg.Issuers = []certmagic.Issuer{certmagic.NewACMEIssuer(cfg, certmagic.ACMEIssuer{
		CA:     certmagic.LetsEncryptProductionCA,
		Email:  os.Getenv("ACME_EMAIL"),
		Agreed: true,
	})}
	// The portal's own hostnames are managed eagerly; customer hosts on demand.
	if err := cfg.ManageAsync(context.Background(), []string{os.Getenv("PORTAL_HOST")}); err != nil {
		log.Fatal(err)
	}

	upstream, err := url.Parse(os.Getenv("EDGE_WORKER_URL"))
	if err != nil {
		log.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	srv := &http.Server{
		Addr:              ":443",
		Handler:           proxy,
		TLSConfig:         cfg.TLSConfig(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Fatal(srv.ListenAndServeTLS("", ""))
}
