// Command dispatchd runs one member of the Kea dispatch cluster: the HTTP
// API for driver and rider apps plus the memberlist gossip between nodes.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"
	"time"

	"github.com/kea-mobility/kea/internal/api"
	"github.com/kea-mobility/kea/internal/cluster"
	"github.com/kea-mobility/kea/internal/drivers"
	"github.com/kea-mobility/kea/internal/kvstore"
	"github.com/kea-mobility/kea/internal/promo"
	"github.com/kea-mobility/kea/internal/riders"
	"github.com/kea-mobility/kea/internal/surge"
	"github.com/kea-mobility/kea/internal/trips"
)

type ledgerClient struct{ base string }

func (l ledgerClient) Receipt(ctx context.Context, tripID string) (trips.Receipt, error) {
	return trips.Receipt{TripID: tripID}, nil
}

func main() {
	var (
		addr     = flag.String("http", ":8080", "HTTP listen address")
		name     = flag.String("name", hostname(), "cluster node name")
		bindPort = flag.Int("gossip-port", 7946, "memberlist port")
		seeds    = flag.String("seeds", "", "comma-separated cluster seeds")
		region   = flag.String("region", "eu-west", "region label")
		quorum   = flag.Int("quorum", 2, "members needed before serving")
		window   = flag.Duration("rider-window", time.Minute, "per-rider request window")
		perWin   = flag.Int("rider-max", 20, "requests per rider per window")
		trailWin = flag.Duration("trail-window", 30*time.Second, "trail flush window")
	)
	flag.Parse()

	kv, err := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KEA_KV_NAMESPACE"), "dispatch")
	if err != nil {
		log.Fatal(err)
	}

	engine := surge.NewEngine(kv, nil, *name)
	var seedList []string
	if *seeds != "" {
		seedList = strings.Split(*seeds, ",")
	}
	node, err := cluster.Start(cluster.Config{Name: *name, BindPort: *bindPort, Region: *region, HTTPAddr: *addr, Seeds: seedList}, kv, engine, *quorum)
	if err != nil {
		log.Fatal(err)
	}
	engine.SetPublisher(node)

	wctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	if err := node.WaitQuorum(wctx); err != nil {
		log.Printf("dispatchd: serving without quorum: %v", err)
	}
	cancel()

	tracker := drivers.NewTracker(kv)
	book := promo.NewBook(kv)
	deps := &api.Deps{
		KV:       kv,
		Drivers:  tracker,
		Surge:    engine,
		Sessions: riders.NewSessions(kv),
		OTP:      riders.NewOTP(kv),
		Limits:   riders.NewLimiter(kv, *window, *perWin),
		Profiles: riders.NewProfiles(kv, func(ctx context.Context, id string) (riders.Profile, error) {
			return riders.Profile{RiderID: id, Language: "en"}, nil
		}),
		Promos:   book,
		Receipts: trips.NewReceipts(kv, ledgerClient{base: os.Getenv("KEA_LEDGER_URL")}),
		Status:   trips.NewStatusBoard(kv),
		Cluster:  node,
		Demand:   func(string) surge.Demand { return surge.Demand{Requests: 1, Idle: 1} },
		OpsToken: os.Getenv("KEA_OPS_TOKEN"),

		TrailWindow: *trailWin,
	}

	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				node.ShareHits()
				if err := node.PublishRoster(ctx); err != nil {
					log.Printf("dispatchd: roster: %v", err)
				}
				if err := tracker.ArchiveTrails(ctx, *trailWin); err != nil {
					log.Printf("dispatchd: trails: %v", err)
				}
				cancel()
			}
		}
	}()

	h := api.New(*addr, deps)
	h.OnShutdown = append(h.OnShutdown, func(ctx context.Context) {
		close(done)
		if err := node.Drain(ctx); err != nil {
			log.Printf("dispatchd: drain: %v", err)
		}
	})
	h.Spin()
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "dispatch-0"
	}
	return h
}
