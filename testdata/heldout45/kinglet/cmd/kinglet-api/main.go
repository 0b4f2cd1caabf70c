// Command kinglet-api serves the invoicing API and runs the dunning job.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"kinglet/internal/apikeys"
	"kinglet/internal/config"
	"kinglet/internal/dunning"
	"kinglet/internal/fxrates"
	"kinglet/internal/httpapi"
	"kinglet/internal/invoicing"
	"kinglet/internal/kvstore"
	"kinglet/internal/paylinks"
	"kinglet/internal/portal"
)

type logMailer struct{ log *slog.Logger }

func (m logMailer) Send(_ context.Context, to, subject, _ string) error {
	m.log.Info("mail", "to", to, "subject", subject)
	return nil
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.Load()
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(1)
	}
	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken))
	store := kvstore.New(client, cfg.AccountID)
	mail := logMailer{log: log}

	drafts := &invoicing.DraftStore{Store: store, Namespace: cfg.NS.Invoices, TTL: 180 * 24 * time.Hour}
	drafts.BeforeSave(invoicing.ValidateDraft)
	drafts.BeforeSave(invoicing.StampDraft)
	drafts.AfterDelete(invoicing.DropRenderedPDF(store, cfg.NS.Invoices))
	drafts.AfterDelete(invoicing.AuditTrail(store, cfg.NS.Invoices))

	numbers := invoicing.Numberer{Store: store, Namespace: cfg.NS.Invoices, Prefix: "INV"}
	links := paylinks.NewService(client, cfg.AccountID, cfg.NS.Links, cfg.PayLinkTTL)
	sessions := portal.Sessions{Store: store, Namespace: cfg.NS.Sessions, TTL: cfg.SessionTTL}
	keys := apikeys.Registry{Store: store, Namespace: cfg.NS.Keys}
	usage := &apikeys.Usage{Registry: keys}
	job := dunning.Job{
		Store: store, Namespace: cfg.NS.Dunning, Links: links, Mail: mail,
		Every: cfg.ReminderEvery, PageSize: cfg.ListPageSize, MaxPages: cfg.MaxListPages, Log: log,
	}

	srv := &httpapi.Server{
		Cfg:      cfg,
		Client:   client,
		Store:    store,
		Drafts:   drafts,
		Issuer:   invoicing.Issuer{Numbers: numbers, Drafts: drafts, Store: store, Namespace: cfg.NS.Invoices},
		Links:    links,
		Dunning:  job,
		FX:       &fxrates.Cache{Store: store, Namespace: cfg.NS.Cache, TTL: cfg.RatesTTL, Provider: fxrates.Provider{HTTP: http.DefaultClient, BaseURL: os.Getenv("FX_URL"), APIKey: os.Getenv("FX_KEY")}},
		Keys:     keys,
		Usage:    usage,
		Sessions: sessions,
		Login:    portal.Login{Sessions: sessions, Store: store, Namespace: cfg.NS.Sessions, MagicLinkTTL: cfg.MagicLinkTTL, BaseURL: os.Getenv("PORTAL_URL"), Mail: mail},
		Log:      log,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	go func() {
		dunningTick := time.NewTicker(4 * time.Hour)
		flushTick := time.NewTicker(5 * time.Minute)
		defer dunningTick.Stop()
		defer flushTick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-dunningTick.C:
				if err := job.Run(ctx, now.UTC()); err != nil {
					log.Error("dunning", "err", err)
				}
			case now := <-flushTick.C:
				if err := usage.Flush(ctx, now.UTC()); err != nil {
					log.Error("usage flush", "err", err)
				}
			}
		}
	}()

	hs := &http.Server{Addr: cfg.ListenAddr, Handler: srv.Routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.ListenAddr)
	if err := hs.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
