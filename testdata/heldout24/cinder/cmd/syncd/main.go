// Command syncd is the backend sync service: it mirrors invoices into the
// edge namespace, publishes report exports and runs periodic upkeep.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/cinder/internal/cfsync"
	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/config"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/exports"
	"example.com/cinder/internal/ledger"
	"example.com/cinder/internal/maintenance"
	"example.com/cinder/internal/sched"
)

// billingAPI reads from the billing service's internal HTTP API.
type billingAPI struct {
	base string
	http *http.Client
}

func (b billingAPI) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return err
	}
	res, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("billing %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (b billingAPI) Tenants(ctx context.Context) ([]domain.Tenant, error) {
	var ts []domain.Tenant
	return ts, b.get(ctx, "/tenants", &ts)
}

func (b billingAPI) InvoicesSince(ctx context.Context, tenant string, since time.Time) ([]domain.Invoice, error) {
	var invs []domain.Invoice
	q := url.Values{"since": {since.Format(time.RFC3339Nano)}}
	return invs, b.get(ctx, "/tenants/"+url.PathEscape(tenant)+"/invoices?"+q.Encode(), &invs)
}

func (b billingAPI) InvoiceCount(ctx context.Context, tenant string) (int, error) {
	var out struct {
		Count int `json:"count"`
	}
	return out.Count, b.get(ctx, "/tenants/"+url.PathEscape(tenant)+"/invoices/count", &out)
}

func main() {
	cfgPath := flag.String("config", "", "path to a JSON config file")
	billing := flag.String("billing", "http://billing.internal:8080", "billing API base URL")
	flag.Parse()

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	api := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken))
	store := cfsync.New(api, cfg.AccountID, cfg.NamespaceID)
	clk := clock.System
	src := billingAPI{base: *billing, http: &http.Client{Timeout: 30 * time.Second}}

	syncer := ledger.NewSyncer(store, src, clk)
	publisher := exports.NewPublisher(store, cfg, clk)
	maint := maintenance.New(store, clk, cfg, maintenance.WithWorkers(8))

	s := sched.New()
	s.EveryNamed("ledger-sync", cfg.SyncInterval, syncer.SyncAll)
	s.EveryNamed("compact", cfg.CompactInterval, maint.Compact)
	s.EveryNamed("export-report", 6*time.Hour, func(ctx context.Context) error {
		tenants, err := src.Tenants(ctx)
		if err != nil {
			return err
		}
		for _, t := range tenants {
			stale, err := publisher.Expired(ctx, t.ID)
			if err != nil {
				return err
			}
			if len(stale) > 0 {
				log.Printf("tenant %s: %d stale export shards", t.ID, len(stale))
			}
		}
		return nil
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Printf("syncd: namespace %s, sync every %s", cfg.NamespaceID, cfg.SyncInterval)
	if err := s.Run(ctx, time.Minute); err != nil && err != context.Canceled {
		log.Fatal(err)
	}
}
