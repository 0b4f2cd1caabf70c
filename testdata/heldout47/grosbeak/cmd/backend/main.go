//go:build !js

// Command backend runs the museum's scheduled jobs and payment webhooks.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"grosbeak/internal/cfkv"
	"grosbeak/internal/donations"
	"grosbeak/internal/keys"
	"grosbeak/internal/ops"
)

type app struct {
	jobs   *ops.Jobs
	ledger *donations.Ledger
	slots  *cfkv.REST
}

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("%s is not set", name)
	}
	return v
}

func newApp() *app {
	account, token := mustEnv("CF_ACCOUNT_ID"), mustEnv("CF_API_TOKEN")
	hc := &http.Client{Timeout: 30 * time.Second}
	rest := func(ns string) *cfkv.REST {
		return &cfkv.REST{AccountID: account, NamespaceID: mustEnv(ns), Token: token, HTTP: hc}
	}
	slots, codes := rest("KV_SLOTS"), rest("KV_CODES")
	pages := cfkv.NewSDK(token, account, mustEnv("KV_PAGES"))
	audio := cfkv.NewSDK(token, account, mustEnv("KV_AUDIO"))
	gifts := cfkv.NewSDK(token, account, mustEnv("KV_DONATIONS"))
	return &app{
		jobs:   &ops.Jobs{Slots: slots, Codes: codes, Pages: pages, Audio: audio},
		ledger: donations.New(rest("KV_DONATIONS"), gifts),
		slots:  slots,
	}
}

var jobs = map[string]func(context.Context, *app) error{
	"publish-slots": func(ctx context.Context, a *app) error {
		return a.jobs.PublishSlots(ctx, time.Now(), 40)
	},
	"sweep-holds": func(ctx context.Context, a *app) error {
		n, err := a.jobs.SweepHolds(ctx)
		log.Printf("swept %d holds", n)
		return err
	},
	"sweep-receipts": func(ctx context.Context, a *app) error {
		n, err := a.jobs.SweepReceipts(ctx)
		log.Printf("swept %d receipts", n)
		return err
	},
	"flush-donors": func(ctx context.Context, a *app) error {
		return a.ledger.FlushDonorCounts(ctx)
	},
	"export-codes": func(ctx context.Context, a *app) error {
		n, err := a.jobs.ExportCodes(ctx, os.Stdout)
		log.Printf("exported %d codes", n)
		return err
	},
	"export-pages": func(ctx context.Context, a *app) error {
		_, err := a.jobs.ExportPageIndex(ctx, os.Stdout, 20000)
		return err
	},
	"health": func(ctx context.Context, a *app) error {
		return a.jobs.Health(ctx)
	},
	"serve": func(ctx context.Context, a *app) error {
		srv := &http.Server{Addr: ":8080", Handler: http.HandlerFunc(a.route)}
		return srv.ListenAndServe()
	},
}

func (a *app) route(w http.ResponseWriter, r *http.Request) {
	h, ok := webhooks[r.URL.Path]
	if !ok || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	h(a, w, r)
}

var webhooks = map[string]func(*app, http.ResponseWriter, *http.Request){
	"/hooks/donation":      (*app).donationHook,
	"/hooks/group-booking": (*app).groupBookingHook,
}

func (a *app) donationHook(w http.ResponseWriter, r *http.Request) {
	var g donations.Gift
	if err := json.NewDecoder(r.Body).Decode(&g); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := a.ledger.Record(r.Context(), g); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := a.slots.Put(r.Context(), keys.DonationTickerKey+":latest", strings.NewReader(g.ID), 0); err != nil { // EXPECT kvhotkey
		log.Printf("latest: %v", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

type groupBooking struct {
	School  string `json:"school"`
	Quota   int    `json:"quota"`
	Booked  int    `json:"booked"`
	Term    string `json:"term"`
	EndsISO string `json:"ends"`
}

func (a *app) groupBookingHook(w http.ResponseWriter, r *http.Request) {
	var b groupBooking
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	left := b.Quota - b.Booked
	key := keys.GroupQuotaPrefix + b.Term + ":" + strings.ToLower(b.School)
	if err := a.slots.Put(r.Context(), key, strings.NewReader(strconv.Itoa(left)), 120*24*3600); err != nil { // EXPECT kvcounter
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintf(w, `{"school":%q,"left":%d}`, b.School, left)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: backend <job>")
		os.Exit(2)
	}
	job, ok := jobs[os.Args[1]]
	if !ok {
		log.Fatalf("unknown job %q", os.Args[1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if err := job(ctx, newApp()); err != nil {
		log.Fatal(err)
	}
}
