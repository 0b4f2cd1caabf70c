//go:build js && wasm

// Command worker is the Saffron edge Worker: HTTP API, cron and queue consumer.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/drafts"
	"example.com/saffron/internal/giftcard"
	"example.com/saffron/internal/httpapi"
	"example.com/saffron/internal/ledger"
	"example.com/saffron/internal/loyalty"
	"example.com/saffron/internal/menu"
	"example.com/saffron/internal/reservation"
	"example.com/saffron/internal/reviews"
	"example.com/saffron/internal/staff"
	"example.com/saffron/internal/store"
	"example.com/saffron/internal/store/kvstore"
	"example.com/saffron/internal/takeaway"
	"example.com/saffron/internal/waitlist"
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	_ "github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"
)

func main() {
	if err := config.Reload(cloudflare.Getenv); err != nil {
		fmt.Println("config:", err)
	}
	cfg := config.Current
	core := kvstore.New("SAFFRON")
	sessions := kvstore.New("STAFF_SESSIONS")
	cached := store.NewCached(core, 1024, 20*time.Second)
	db, err := ledger.OpenD1("DB")
	if err != nil {
		panic(err)
	}
	holds := reservation.NewCommands(core, cfg)
	reviewCmds := reviews.NewCommands(cached, core)
	api := &httpapi.API{
		Holds:    holds,
		Waitlist: waitlist.New(store.Split(cached, core), smsSender{}, cfg),
		Loyalty:  loyalty.New(core, core, db, cfg),
		Gifts:    giftcard.New(core, groupOf),
		Reviews:  reviewCmds,
		Feedback: reviews.NewQueries(cached, core),
		Limiter:  reviews.NewSubmitLimiter("SAFFRON", func() int { return cfg().ReviewsPerHour }),
		Sessions: sessions,
		Stamps:   core,
		Config:   cfg,
	}
	auth := staff.NewAuth("STAFF_SESSIONS", "STAFF", pbkdf2Hasher{}, identityProvider(), cfg)
	drafting := drafts.New("MENUS", cfg)
	orders := takeaway.New("ORDERS")
	publisher := menu.NewPublisher("MENUS", db, cfg().Tenants)
	holdsNS := sync.OnceValues(func() (*kv.Namespace, error) { return kv.NewNamespace("SAFFRON") })
	sweeper := reservation.NewSweeper(holdsNS, 10)
	mux := http.NewServeMux()
	api.Register(mux)
	menu.NewHandler("MENUS", db).Register(mux)
	mux.Handle("POST /hooks/courier", takeaway.NewDeliveries(orders, core, []byte(cloudflare.Getenv("COURIER_SECRET"))))
	registerStaff(mux, auth)
	registerEditing(mux, drafting, orders)
	workers.ServeNonBlock(mux)
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		removed, sweepErr := sweeper.SweepAll(ctx)
		fmt.Println("sweep: removed", removed, "started holds")
		return errors.Join(publisher.Tick(ctx), sweepErr)
	})
	queues.ConsumeNonBlock(reviews.NewScorer("SAFFRON", reviewCmds).Consume)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}

func groupOf(restaurant string) string {
	group, _, _ := strings.Cut(restaurant, "-")
	return group
}
