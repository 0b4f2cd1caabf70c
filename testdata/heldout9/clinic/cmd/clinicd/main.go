// Command clinicd runs the appointment-booking API and its background
// workers.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/clinic/internal/auth"
	"example.com/clinic/internal/bookings"
	"example.com/clinic/internal/config"
	"example.com/clinic/internal/export"
	"example.com/clinic/internal/holds"
	"example.com/clinic/internal/hours"
	"example.com/clinic/internal/httpapi"
	"example.com/clinic/internal/kvrest"
	"example.com/clinic/internal/kvstore"
	"example.com/clinic/internal/kvstore/cfkv"
	"example.com/clinic/internal/kvstore/decorate"
	"example.com/clinic/internal/noshow"
	"example.com/clinic/internal/otp"
	"example.com/clinic/internal/reminders"
	"example.com/clinic/internal/repo"
	"example.com/clinic/internal/waitlist"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(log); err != nil {
		log.Error("clinicd stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if errors.Is(err, config.ErrMissing) {
		return err
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	api := cfkv.Client(cfg.APIToken)
	nsFor := func(id string) cfkv.Namespace {
		return cfkv.Namespace{API: api, AccountID: cfg.AccountID, ID: id}
	}
	sessionNS, bookingNS, configNS := nsFor(cfg.Namespaces.Sessions), nsFor(cfg.Namespaces.Booking), nsFor(cfg.Namespaces.Config)

	metrics := decorate.NewMetrics(cfkv.New(bookingNS))
	var bookingStore kvstore.Store = decorate.Logging{Store: metrics, Log: log}
	sessionStore := decorate.Logging{Store: cfkv.New(sessionNS), Log: log}
	configStore := decorate.NewCaching(cfkv.New(configNS), 30*time.Second)

	// Make sure the token can write to the booking namespace before we
	// take traffic.
	if err := bookingStore.Put(ctx, ".", []byte(time.Now().UTC().Format(time.RFC3339))); err != nil { // EXPECT kvlimits
		return err
	}

	remindersKV := kvrest.New(cfg.AccountID, cfg.Namespaces.Reminders, cfg.APIToken)
	revocationsKV := kvrest.New(cfg.AccountID, cfg.Namespaces.Sessions, cfg.APIToken)

	tracker := noshow.NewTracker(bookingStore)
	holdSvc := holds.New(bookingStore, cfg.Holds, log)
	deps := &httpapi.Deps{
		Log:            log,
		Auth:           auth.New(sessionStore, sessionNS, revocationsKV, cfg.Sessions.TTL, cfg.Sessions.RefreshTTL),
		OTP:            otp.New(sessionStore, sessionNS, smsGateway{log: log}),
		Holds:          holdSvc,
		Waitlist:       waitlist.New(bookingStore, cfg.Waitlist.OfferWindow),
		Bookings:       bookings.New(bookingStore, tracker),
		Export:         export.New(bookingStore, bookingNS, cfg.Export),
		Booking:        bookingNS,
		Store:          configStore,
		Views:          repo.New[httpapi.PageStat](configStore, "views:"),
		Touch:          configStore.Put,
		RequestsPerMin: cfg.HTTP.RequestsPerMin,
	}
	runner := reminders.NewRunner(remindersKV, smsGateway{log: log}, cfg.Reminders, log)
	deps.Ops = &httpapi.Ops{
		Token:     os.Getenv("STAFF_TOKEN"),
		Hours:     hours.New(configNS, hoursFromDB{}),
		Reminders: runner,
		Waitlist:  deps.Waitlist,
		Immortal:  holds.NewSweeper(bookingNS, cfg.Export.MaxPages).Immortal,
		Offenders: noshow.NewReporter(bookingNS, cfg.Export.MaxPages).Offenders,
		Seed:      bookings.NewSeeder(bookingNS).SeedAvailability,
	}

	go holdSvc.RunWriter(ctx)
	go cron(ctx, 5*time.Minute, func(ctx context.Context) {
		if err := runner.RunOnce(ctx); err != nil {
			log.Error("reminder run", "err", err)
		}
	})

	srv := &http.Server{Addr: cfg.HTTP.Addr, Handler: httpapi.Handler(deps), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.HTTP.Addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func cron(ctx context.Context, every time.Duration, job func(context.Context)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			job(ctx)
		}
	}
}

// smsGateway is the stand-in until the SMS provider contract is signed;
// it logs instead of sending.
type smsGateway struct{ log *slog.Logger }

func (g smsGateway) Send(ctx context.Context, phone, body string) (string, error) {
	g.log.InfoContext(ctx, "sms", "to", phone, "len", len(body))
	return "local-" + time.Now().Format("150405.000000"), nil
}

func (g smsGateway) Notify(ctx context.Context, j reminders.Job) error {
	_, err := g.Send(ctx, j.Phone, "Reminder: you have an appointment at "+j.SendAt.Format(time.Kitchen))
	return err
}

// hoursFromDB serves the onboarding template until the clinic database
// integration lands.
type hoursFromDB struct{}

func (hoursFromDB) LoadWeek(_ context.Context, clinicID string) (hours.Week, error) {
	return hours.DefaultWeek(clinicID), nil
}
