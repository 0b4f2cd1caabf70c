// Command pintail-api is the origin API: it owns orders, courier shifts and
// sessions, promotions and restaurant quotas, and publishes what the edge
// needs into Workers KV.
package main

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/pintail-eats/pintail/internal/cfkv"
	"github.com/pintail-eats/pintail/internal/couriers"
	"github.com/pintail-eats/pintail/internal/orders"
	"github.com/pintail-eats/pintail/internal/promo"
	"github.com/pintail-eats/pintail/internal/quota"
)

type storage struct {
	kv cfkv.Namespace
}

type backing struct {
	storage
	sessions cfkv.Namespace
}

type deps struct {
	backing
	log *slog.Logger
}

type app struct {
	deps     deps
	orders   *orders.Publisher
	eta      *orders.ETACache
	shifts   *couriers.Shifts
	sessions *couriers.Sessions
	promo    *promo.Book
	quota    *quota.Quotas
}

type handler struct {
	app *app
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	client := cfkv.Default()
	d := deps{log: log}
	d.kv = client.Namespace(os.Getenv("KV_STATE_ID"))
	d.sessions = client.Namespace(os.Getenv("KV_SESSIONS_ID"))

	capPerDay, _ := strconv.Atoi(os.Getenv("DEFAULT_DAILY_CAP"))
	a := &app{
		deps:     d,
		orders:   orders.NewPublisher(d.kv, log),
		eta:      orders.NewETACache(d.kv),
		shifts:   couriers.NewShifts(d.kv),
		sessions: couriers.NewSessions(d.sessions),
		promo:    promo.NewBook(d.kv),
		quota:    quota.New(d.kv, cmp.Or(capPerDay, 400), log),
	}
	h := &handler{app: a}

	mux := http.NewServeMux()
	mux.HandleFunc("/orders", h.placeOrder)
	mux.HandleFunc("/orders/status", h.orderStatus)
	mux.HandleFunc("/eta", h.publishETA)
	mux.HandleFunc("/couriers/ping", h.courierPing)
	mux.HandleFunc("/couriers/status", h.courierStatus)
	mux.HandleFunc("/couriers/shifts", h.bookShift)
	mux.HandleFunc("/couriers/sessions", h.openSession)
	mux.HandleFunc("/couriers/logout", h.closeSession)
	mux.HandleFunc("/couriers/refresh", h.refresh)
	mux.HandleFunc("/promo/redeem", h.redeem)
	mux.HandleFunc("/admin/keys", h.listKeys)
	mux.HandleFunc("/admin/banner", h.banner)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go h.flushLoop(ctx)

	srv := &http.Server{Addr: cmp.Or(os.Getenv("ADDR"), ":8080"), Handler: h.recoverer(mux)}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

// flushLoop publishes the in-memory order counts once a minute.
func (h *handler) flushLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
		if err := h.app.quota.Flush(ctx); err != nil {
			h.app.deps.log.Warn("flush quotas", "err", err)
		}
	}
}
