// Command bounced keeps the KV bounce list in sync with the mail provider.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"time"

	"bufflehead/internal/bounces"
	"bufflehead/internal/restkv"
)

// providerClient reads the provider's bounce events endpoint.
type providerClient struct {
	base   string
	apiKey string
	http   *http.Client
}

func (p *providerClient) Bounces(ctx context.Context, cursor string) (bounces.Batch, error) {
	q := url.Values{"limit": {"500"}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/v1/events/bounces?"+q.Encode(), nil)
	if err != nil {
		return bounces.Batch{}, err
	}
	req.Header.Set("Authorization", "Bearer "+p.apiKey)
	resp, err := p.http.Do(req)
	if err != nil {
		return bounces.Batch{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return bounces.Batch{}, fmt.Errorf("provider: %s", resp.Status)
	}
	var body struct {
		Events []bounces.Bounce `json:"events"`
		Next   string           `json:"next"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return bounces.Batch{}, err
	}
	return bounces.Batch{Items: body.Events, Next: body.Next}, nil
}

func main() {
	var cfg struct {
		Interval   time.Duration
		MaxBatches int
	}
	cfg.Interval, cfg.MaxBatches = 5*time.Minute, 40
	if v, err := time.ParseDuration(os.Getenv("BOUNCED_INTERVAL")); err == nil && v >= time.Minute {
		cfg.Interval = v
	}

	c := restkv.New(os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID"), os.Getenv("BH_KV_NAMESPACE"))
	p := &providerClient{base: os.Getenv("PROVIDER_API"), apiKey: os.Getenv("PROVIDER_KEY"), http: &http.Client{Timeout: 30 * time.Second}}
	s := bounces.NewSyncer(c, p)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go s.Run(ctx)

	if err := bounces.InstallPolicy(ctx, c); err != nil {
		log.Printf("bounced: policy: %v", err)
	}
	for {
		n, err := s.SyncOnce(ctx, cfg.MaxBatches)
		if err != nil {
			log.Printf("bounced: sync: %v", err)
		} else {
			log.Printf("bounced: synced %d events", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(cfg.Interval):
		}
	}
}
