//go:build js && wasm

// Command worker is the Junco edge Worker: the guest-facing HTTP API, the
// cron trigger that maintains hold and waitlist records, and the consumer of
// the no-show queue, all in one program.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"junco/internal/availability"
	"junco/internal/config"
	"junco/internal/hoststand"
	"junco/internal/menu"
	"junco/internal/waitlist"
)

const binding = "JUNCO_KV"

type smsGateway struct {
	endpoint string
	token    string
}

func (g smsGateway) Send(phone, body string) error {
	form := url.Values{"to": {phone}, "body": {body}}
	req, err := http.NewRequest(http.MethodPost, g.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("sms gateway: %s", resp.Status)
	}
	return nil
}

type staffAPI struct{ origin string }

func (s staffAPI) CheckPIN(restaurantID, staffID, pin string) (string, bool, error) {
	form := url.Values{"staff": {staffID}, "pin": {pin}}
	resp, err := http.PostForm(fmt.Sprintf("%s/v1/restaurants/%s/pin-check", s.origin, restaurantID), form)
	if err != nil {
		return "", false, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return resp.Header.Get("X-Staff-Role"), true, nil
	case http.StatusUnauthorized:
		return "", false, nil
	}
	return "", false, fmt.Errorf("pin check: %s", resp.Status)
}

func main() {
	cfg, err := config.FromEnv(cloudflare.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	(&availability.Handler{
		Binding: binding,
		Cfg:     cfg,
		Origin:  availability.Origin{BaseURL: cfg.OriginURL, Client: http.DefaultClient},
	}).Register(mux)
	(&waitlist.Handler{
		Binding:    binding,
		Cfg:        cfg,
		SMS:        smsGateway{endpoint: cloudflare.Getenv("SMS_ENDPOINT"), token: cloudflare.Getenv("SMS_TOKEN")},
		MaxResends: 3,
	}).Register(mux)
	(&hoststand.Handler{Binding: binding, Cfg: cfg, Staff: staffAPI{origin: cfg.OriginURL}}).Register(mux)
	(&menu.Handler{Binding: binding, Cfg: cfg, DefaultLocale: "en"}).Register(mux)

	jobs := cronJobs{binding: binding, cfg: cfg}
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error { return jobs.run(ctx) })
	consumer := noShowConsumer{binding: binding, cfg: cfg}
	queues.ConsumeNonBlock(consumer.consume)

	workers.ServeNonBlock(mux)
	workers.Ready()
	select {}
}
