// Command brantd runs the backend: the rental RPC services, the work-queue
// poller and the nightly fleet export.
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"brant/internal/backend/export"
	"brant/internal/backend/poller"
	"brant/internal/backend/rental"
	"brant/internal/cfkv"
	"brant/internal/domain"
	"brant/internal/units"
)

type httpSource struct{ base string }

func (s httpSource) Pull(ctx context.Context, max int) ([]poller.Job, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/pull", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var jobs []poller.Job
	return jobs, json.NewDecoder(resp.Body).Decode(&jobs)
}

func (s httpSource) Ack(ctx context.Context, id string) error { return s.post(ctx, "/ack/"+id) }

func (s httpSource) Nack(ctx context.Context, id string, delay time.Duration) error {
	return s.post(ctx, "/nack/"+id+"?delay="+delay.String())
}

func (s httpSource) post(ctx context.Context, path string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type logMailer struct{}

func (logMailer) SendReceipt(_ context.Context, rider string, r domain.Receipt) error {
	log.Printf("mail receipt %s to %s", r.TripID, rider)
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	account := os.Getenv("CF_ACCOUNT_ID")
	fleet := cfkv.New(client, account, os.Getenv("KV_FLEET_ID"))
	sessions := cfkv.New(client, account, os.Getenv("KV_SESSIONS_ID"))

	_ = rental.NewServer(sessions)
	_ = rental.NewPromoServer(fleet)

	p := poller.New(httpSource{base: os.Getenv("QUEUE_URL")}, sessions, logMailer{}, poller.Settings{
		Interval:  units.Ptr(30 * time.Second),
		BatchSize: units.Ptr(200),
	})
	go func() {
		if err := p.Run(ctx); err != nil && ctx.Err() == nil {
			log.Printf("poller stopped: %v", err)
		}
	}()

	job := export.NewJob(fleet)
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := job.Run(ctx); err != nil {
				log.Printf("export: %v", err)
			}
		}
	}
}
