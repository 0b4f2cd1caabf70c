// Command wagtail serves the webhook hub's REST API and dashboard endpoints.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"wagtail/internal/config"
	"wagtail/internal/httpapi"
	"wagtail/internal/kvstore"
)

func main() {
	cfg, err := config.Load()
	if err != nil {
		log.Fatal(err)
	}
	if err := kvstore.Init(cfg.KV.AccountID, cfg.KV.APIToken); err != nil {
		log.Fatal(err)
	}
	httpapi.Setup(cfg, billingLoader(os.Getenv("WAGTAIL_BILLING_URL")))
	srv := &http.Server{Addr: cfg.Addr, Handler: httpapi.Handler(cfg), ReadTimeout: 10 * time.Second}
	log.Printf("wagtail listening on %s", cfg.Addr)
	log.Fatal(srv.ListenAndServe())
}

// billingLoader loads a tenant's plan (key plan:<tenant>) from billing.
func billingLoader(base string) kvstore.LoaderFunc {
	client := &http.Client{Timeout: 5 * time.Second}
	return func(ctx context.Context, key string) ([]byte, error) {
		tenantID := strings.TrimPrefix(key, "plan:")
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/internal/plans/"+tenantID, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("billing: plan %s: %s", tenantID, resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	}
}
