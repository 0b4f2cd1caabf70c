// Command garganey-sync is the backend service that keeps the edge's KV
// namespaces in step with the platform database: it refreshes feeds,
// applies the change feed, ingests downloads reported by the edge, and
// runs the analytics flushers and sweepers.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/garganey/internal/analytics"
	"example.com/garganey/internal/episodes"
	"example.com/garganey/internal/feedtokens"
	"example.com/garganey/internal/kvstore"
	"example.com/garganey/internal/restkv"
	"example.com/garganey/internal/route"
	"example.com/garganey/internal/timing"
)

var (
	pollEvery  = timing.MustDuration("500ms")
	sweepEvery = timing.MustDuration("30m")
	statsEvery = timing.MustDuration("1h")
)

const viewShards = 16

func main() {
	account := flag.String("account", "", "Cloudflare account id")
	feedsDSN := flag.String("feeds", "mem://", "store for feeds and episodes (kv://<namespace-id> or mem://)")
	hitsDSN := flag.String("hits", "mem://", "store for per-minute hit buckets")
	sponsorsDSN := flag.String("sponsors", "mem://", "store for sponsor inventory")
	pool := flag.String("analytics-pool", "local", "comma-separated namespace ids shared by tenants")
	dedicated := flag.String("dedicated", "", "tenant=namespace pairs for networks with their own namespace")
	scheme := flag.String("analytics-scheme", "mem", "scheme used to open analytics namespaces")
	originURL := flag.String("origin", "http://127.0.0.1:8081", "origin API base URL")
	listen := flag.String("listen", ":8090", "ingest listen address")
	flag.Parse()

	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	reg := kvstore.NewRegistry()
	reg.Register("kv", restkv.Constructor(api, *account))
	reg.Register("mem", kvstore.OpenMem)

	feeds, err := reg.Open(*feedsDSN)
	if err != nil {
		log.Fatal(err)
	}
	hitsStore, err := reg.Open(*hitsDSN)
	if err != nil {
		log.Fatal(err)
	}
	sponsorsStore, err := reg.Open(*sponsorsDSN)
	if err != nil {
		log.Fatal(err)
	}
	tenants := make(map[string]string)
	for pair := range strings.SplitSeq(*dedicated, ",") {
		if k, v, ok := strings.Cut(pair, "="); ok {
			tenants[k] = v
		}
	}
	stores := route.NewStores(reg, *scheme, route.NewRouter(strings.Split(*pool, ","), tenants))
	org := &origin{base: strings.TrimRight(*originURL, "/"), hc: &http.Client{Timeout: 20 * time.Second}}

	hits := analytics.NewHitBuffer(hitsStore)
	rec := analytics.NewRecorder(stores, hits, org, viewShards)
	eps := episodes.NewStore(feeds)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var wg sync.WaitGroup
	wg.Go(func() { rec.Run(ctx) })
	wg.Go(func() { hits.Run(ctx) })
	wg.Go(func() { episodes.NewRefresher(feeds, org).Run(ctx) })
	wg.Go(func() { followChanges(ctx, feeds, org) })
	wg.Go(func() { every(ctx, sweepEvery, func() error { return sweepOrphanFeeds(ctx, feeds, org) }) })
	wg.Go(func() { every(ctx, statsEvery, func() error { return syncShowStats(ctx, feeds, org) }) })

	srv := &http.Server{Addr: *listen, Handler: apiMux(feeds, stores, rec, eps, feedtokens.New(feeds), sponsorsStore)}
	wg.Go(func() {
		<-ctx.Done()
		srv.Shutdown(context.WithoutCancel(ctx))
	})
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Printf("sync: %v", err)
		stop()
	}
	wg.Wait()
}

// every runs fn on a ticker until ctx is done.
func every(ctx context.Context, d time.Duration, fn func() error) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := fn(); err != nil {
				log.Printf("sync: %v", err)
			}
		}
	}
}

// followChanges applies the origin's change feed to the edge copy. The
// origin keeps the consumer's position; the status key only tells the
// dashboard how far behind the edge is.
func followChanges(ctx context.Context, st kvstore.Store, org *origin) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		batch, err := org.changes(ctx, "edge-sync")
		if err != nil {
			log.Printf("sync: changes: %v", err)
			continue
		}
		var puts []kvstore.Entry
		for _, c := range batch.Changes {
			if !c.Deleted {
				puts = append(puts, kvstore.Entry{Key: c.Key, Value: c.Value})
			} else if err := st.Delete(ctx, c.Key); err != nil {
				log.Printf("sync: delete %s: %v", c.Key, err)
			}
		}
		if err := kvstore.PutAll(ctx, st, puts); err != nil {
			log.Printf("sync: apply: %v", err)
			continue
		}
		status, _ := json.Marshal(map[string]any{"polled": time.Now().UTC(), "applied": len(batch.Changes), "lag_ms": batch.LagMS})
		if err := st.Put(ctx, "sync:status", status, 0); err != nil { // EXPECT kvhotkey
			log.Printf("sync: status: %v", err)
		}
	}
}

// sweepOrphanFeeds deletes cached feeds of shows that are no longer active.
func sweepOrphanFeeds(ctx context.Context, st kvstore.Store, org *origin) error {
	lister, ok := st.(kvstore.Lister)
	if !ok {
		return kvstore.ErrNoList
	}
	shows, err := org.ActiveShows(ctx)
	if err != nil {
		return err
	}
	active := make(map[string]bool, len(shows))
	for _, s := range shows {
		active[s] = true
	}
	var stale []string
	cursor := ""
	for {
		res := lister.List(ctx, "feed:", cursor, 1000) // EXPECT kvlist
		if res.Err != nil {
			return res.Err
		}
		for _, k := range res.Value.Keys {
			if !active[strings.TrimPrefix(k, "feed:")] {
				stale = append(stale, k)
			}
		}
		if res.Value.Complete {
			break
		}
		cursor = res.Value.Cursor
	}
	for _, k := range stale {
		if err := st.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// showMeta is the edge copy of a show's header. Creators edit title and
// artwork at the origin; the stats fields are filled in here.
type showMeta struct {
	Title    string    `json:"title"`
	Artwork  string    `json:"artwork"`
	Episodes int       `json:"episodes"`
	Minutes  int       `json:"minutes"`
	Synced   time.Time `json:"synced"`
}

// syncShowStats copies the origin's per-show aggregates into each show's
// header, one goroutine per show.
func syncShowStats(ctx context.Context, st kvstore.Store, org *origin) error {
	stats, err := org.showStats(ctx)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	for _, s := range stats {
		wg.Go(func() {
			key := "show:" + s.Show
			var meta showMeta
			res := st.Get(ctx, key)
			if res.Err != nil || (res.Value.Found && json.Unmarshal(res.Value.Value, &meta) != nil) {
				log.Printf("sync: cannot read %s", key)
				return
			}
			meta.Episodes, meta.Minutes, meta.Synced = s.Episodes, s.Minutes, time.Now().UTC()
			b, _ := json.Marshal(meta)
			if err := st.Put(ctx, key, b, 0); err != nil { // EXPECT kvrace
				log.Printf("sync: %s: %v", key, err)
			}
		})
	}
	wg.Wait()
	return nil
}
