// Command api is the Fulmar backend: menus, carts, table holds, kitchen
// tickets and staff logins.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"

	"fulmar/internal/cart"
	"fulmar/internal/keys"
	"fulmar/internal/kitchen"
	"fulmar/internal/kvstore"
	"fulmar/internal/menu"
	"fulmar/internal/staff"
	"fulmar/internal/tables"
)

type orders struct{ upstream string }

func (o orders) Submit(ctx context.Context, venue keys.Venue, c cart.Cart) (string, error) {
	return "", errors.New("orders: not wired in this build")
}

type directory struct{}

func (directory) Verify(ctx context.Context, email, password string) (string, string, string, error) {
	return "", "", "", errors.New("directory: not wired in this build")
}

func (directory) ByEmail(ctx context.Context, email string) (string, error) {
	return "", errors.New("directory: not wired in this build")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	v3 := kvstore.NewV3(token, account, os.Getenv("KV_MENUS"))
	legacy, err := kvstore.NewLegacy(token, account, os.Getenv("KV_SESSIONS"))
	if err != nil {
		log.Fatal(err)
	}

	menus := menu.New(v3, os.Getenv("POS_ORIGIN"))
	carts := cart.New(legacy, orders{upstream: os.Getenv("ORDERS_ORIGIN")})
	holds := tables.New(v3, 90*time.Second)
	kit := kitchen.New(v3)
	auth := staff.New(legacy, directory{})

	r := chi.NewRouter()
	menus.Routes(r)
	carts.Routes(r)
	holds.Routes(r)
	kit.Routes(r)
	auth.Routes(r)
	auth.ResetRoutes(r)
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		_ = v3.Put(r.Context(), kvstore.Entry{Key: "health:api", Value: []byte(time.Now().UTC().Format(time.RFC3339))}) // EXPECT kvhotkey
		w.WriteHeader(http.StatusNoContent)
	})

	go kit.StreamBoards(ctx)
	go holds.Sweep(ctx, []keys.Venue{"harbour-room", "the-gull"})
	go func() {
		instance, _ := os.Hostname()
		ticker := time.NewTicker(time.Minute)
		defer ticker.Stop()
		for range ticker.C {
			if ctx.Err() != nil {
				return
			}
			if err := auth.Metrics.Flush(ctx, legacy, instance); err != nil {
				log.Printf("metrics: %v", err)
			}
			if err := kit.FlushDaily(ctx); err != nil {
				log.Printf("daily: %v", err)
			}
		}
	}()

	srv := &http.Server{Addr: ":8080", Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
