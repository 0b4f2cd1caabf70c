// Command surgepub runs one surge publish cycle. It is started every minute
// by the scheduler.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"goldeneye/internal/edge"
	"goldeneye/internal/partners"
	"goldeneye/internal/surge"
)

type pricingClient struct {
	base string
	hc   *http.Client
}

func (c pricingClient) get(ctx context.Context, path string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("pricing %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(dst)
}

func (c pricingClient) Quote(ctx context.Context, zoneID string) (surge.Quote, error) {
	var q surge.Quote
	return q, c.get(ctx, "/v1/quotes/"+zoneID, &q)
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	if err := cycle(ctx, log); err != nil {
		log.Error("surge cycle", "err", err)
		os.Exit(1)
	}
}

func cycle(ctx context.Context, log *slog.Logger) error {
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	account := os.Getenv("CF_ACCOUNT_ID")
	ns := edge.Open(client, account, os.Getenv("SURGE_KV_NAMESPACE"))
	pricing := pricingClient{base: os.Getenv("PRICING_URL"), hc: &http.Client{Timeout: 10 * time.Second}}
	pub := surge.NewPublisher(ns, pricing, log)

	var zones []surge.Zone
	if err := pricing.get(ctx, "/v1/zones?active=1", &zones); err != nil {
		return err
	}
	if err := pub.PublishAll(ctx, zones); err != nil {
		return err
	}
	for _, z := range zones {
		pub.Announce(z.ID)
	}

	var usage []struct {
		Partner string `json:"partner"`
		Booked  int    `json:"booked"`
		Limit   int    `json:"limit"`
	}
	if err := pricing.get(ctx, "/v1/partner-usage", &usage); err != nil {
		log.Warn("partner usage", "err", err)
	}
	for _, u := range usage {
		if err := partners.MirrorQuota(ctx, ns, u.Partner, u.Booked, u.Limit); err != nil {
			log.Warn("mirror quota", "partner", u.Partner, "err", err)
		}
	}
	if err := pub.FlushViews(ctx); err != nil {
		log.Warn("flush views", "err", err)
	}
	return staleZones(ctx, ns, zones, log)
}

// staleZones removes published zones that the pricing engine no longer
// reports. It looks at no more than twenty pages per cycle; the rest is
// picked up by the next cycle.
func staleZones(ctx context.Context, ns *edge.Namespace, live []surge.Zone, log *slog.Logger) error {
	keep := make(map[string]bool, len(live))
	for _, z := range live {
		keep["surge:zone:"+z.ID] = true
	}
	cursor := ""
	for page := 0; page < 20; page++ {
		keys, next, err := ns.Page(ctx, "surge:zone:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if !keep[k.Name] {
				if err := ns.Delete(ctx, k.Name); err != nil {
					log.Warn("remove stale zone", "key", k.Name, "err", err)
				}
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	log.Info("stale zone sweep stopped at page budget", "cursor", cursor)
	return nil
}
