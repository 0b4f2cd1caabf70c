// Command syncd is the backend sync service: it copies venue data into KV,
// receives webhooks and builds the nightly reports.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/saffron/internal/cfkv"
	"example.com/saffron/internal/config"
	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/reports"
	"example.com/saffron/internal/venuesync"
	"example.com/saffron/internal/webhooks"
)

var liveConfig atomic.Pointer[config.Config]

type emptySource struct{}

func (emptySource) Venues(context.Context) ([]domain.Venue, error) { return nil, nil }
func (emptySource) Menu(_ context.Context, id string) (domain.Menu, error) {
	return domain.Menu{VenueID: id}, nil
}
func (emptySource) Notices(context.Context, string) ([]venuesync.Notice, error) { return nil, nil }

func main() {
	cfg := config.Default().FromEnv(os.Getenv).WithDefaults()
	liveConfig.Store(&cfg)

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	store := cfkv.New(client, cfg.Sync.AccountID, cfg.Sync.Namespace,
		cfkv.WithPageSize(5), // EXPECT kvlimits
		cfkv.WithChunk(cfg.Sync.BatchSize),
	)

	host, _ := os.Hostname()
	syncer := venuesync.NewService(store, client, emptySource{}, &liveConfig, host)
	builder := reports.NewBuilder(store, client, cfg.Sync.AccountID, cfg.Sync.Namespace)

	mux := http.NewServeMux()
	webhooks.NewHandler(store, os.Getenv("WEBHOOK_SECRET")).Register(mux)
	mux.HandleFunc("GET /v1/reports/{venue}", func(w http.ResponseWriter, r *http.Request) {
		names, next, err := builder.Page(r.Context(), r.PathValue("venue"), r.URL.Query().Get("cursor"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("X-Next-Cursor", next)
		for _, n := range names {
			_, _ = w.Write([]byte(n + "\n"))
		}
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	go syncer.Run(ctx)
	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				if now.UTC().Hour() != 4 {
					continue
				}
				counts, err := builder.Inventory(ctx)
				if err != nil {
					log.Printf("inventory: %v", err)
					continue
				}
				log.Printf("inventory: %v", counts)
			}
		}
	}()

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
