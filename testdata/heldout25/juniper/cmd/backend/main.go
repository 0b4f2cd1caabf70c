// Command backend runs the ticketing API, the payment webhook receiver and
// the background jobs.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/juniper/backend/cfkv"
	"example.com/juniper/internal/apikeys"
	"example.com/juniper/internal/checkin"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/holds"
	"example.com/juniper/internal/httpapi"
	"example.com/juniper/internal/jobs"
	"example.com/juniper/internal/ratelimit"
	"example.com/juniper/internal/seatmap"
	"example.com/juniper/internal/sessions"
	"example.com/juniper/internal/store"
	"example.com/juniper/internal/waitroom"
	"example.com/juniper/internal/webhooks"
)

type venueDB struct{}

func (venueDB) SeatMap(_ context.Context, venueID, eventID string) (domain.SeatMap, error) {
	return domain.SeatMap{VenueID: venueID, EventID: eventID, Version: 1, Sections: map[string]domain.Section{}}, nil
}

type identity struct{}

func (identity) Login(_ *http.Request, email, password string) (string, string, []string, error) {
	if email == "" || password == "" {
		return "", "", nil, errors.New("invalid credentials")
	}
	return "org-demo", email, []string{"organizer"}, nil
}

func main() {
	var (
		cfgPath = flag.String("config", os.Getenv("JUNIPER_CONFIG"), "path to a JSON config file")
		addr    = flag.String("addr", ":8080", "listen address")
		dryRun  = flag.Bool("dry-run", false, "keep state in memory instead of Workers KV")
	)
	flag.Parse()

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	live := config.NewHolder(cfg)

	var raw store.Raw
	if *dryRun {
		raw = store.NewMemory()
	} else {
		raw = cfkv.NewStore(cfkv.NewClient(cfg.KV), cfg.KV)
	}

	sessions.Init(raw, cfg.Cache.Sessions)
	holdSvc := holds.NewService(raw, holds.WithConfig(cfg.Holds))
	room := waitroom.New(raw, cfg.Queue)
	desk := checkin.NewDesk(raw, cfg.Checkin)
	keyReg := apikeys.NewRegistry(raw, apikeys.WithMaxPages(20))
	seats := seatmap.NewCatalog(raw, venueDB{}, cfg.Cache.SeatMaps)
	payments := webhooks.NewReceiver(raw, "payflow", []byte(os.Getenv("PAYFLOW_SECRET")), live, holdSvc)
	limiter := ratelimit.NewLogin(raw, live)

	api := httpapi.New(raw, holdSvc, room, desk, keyReg, seats, payments, identity{}, limiter, live)
	mux := http.NewServeMux()
	api.Public().Register(mux, nil)
	api.Organizer().Register(mux, sessions.Middleware)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	host, _ := os.Hostname()
	runner := jobs.NewRunner(raw, cfg.Jobs, host)
	go runner.Run(ctx)
	go room.Run(ctx, flag.Args())

	go watchConfig(ctx, *cfgPath, live)

	srv := &http.Server{
		Addr:              *addr,
		Handler:           httpapi.Recover(httpapi.Logging(mux)),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("listening on %s", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// watchConfig reloads the configuration file when it changes.
func watchConfig(ctx context.Context, path string, live *config.Holder) {
	if path == "" {
		return
	}
	var last time.Time
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fi, err := os.Stat(path)
			if err != nil || !fi.ModTime().After(last) {
				continue
			}
			last = fi.ModTime()
			next, err := config.Load(path)
			if err != nil {
				log.Printf("config reload: %v", err)
				continue
			}
			live.Store(next)
			log.Printf("config reloaded")
		}
	}
}
