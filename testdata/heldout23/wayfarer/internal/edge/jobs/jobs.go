//go:build js && wasm

// Package jobs holds the Worker's scheduled tasks.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wayfarer/internal/accounts"
	"example.com/wayfarer/internal/edge/flights"
	"example.com/wayfarer/internal/repo"
	"example.com/wayfarer/internal/storage"
)

// Cron expressions configured in wrangler.toml.
const (
	EveryFiveMinutes = "*/5 * * * *"
	Nightly          = "17 3 * * *"
)

const fareRulesSourceURL = "https://fares.partner-gds.example.net/v3/rules/export?format=json&currency=EUR&pos=DE&channel=ota" +
	"&fields=fare_basis,booking_class,cabin,advance_purchase,min_stay,max_stay,change_fee,refund_fee,no_show_fee,baggage_allowance,seat_selection,combinability,blackout_dates,day_of_week,seasonality,routing,stopovers,transfers,children_discount,infant_discount,youth_discount,senior_discount,ticketing_time_limit,validity" +
	"&carriers=LH,LX,OS,SN,EW,4Y,UA,AC,NH,SQ,TK,LO,A3,MS,ET,SA,TP,SK,AY,IB,BA,AF,KL,AZ,EI,VY,U2,FR,W6,DE&markets=intra-eu,transatlantic,asia-pacific,middle-east,africa&include_private=true&include_negotiated=true&expand=footnotes,categories"

// fareRulesKey caches the export under its source URL so a change of query
// never serves stale rules for the new query.
const fareRulesKey = "upstream-cache:" + fareRulesSourceURL // EXPECT kvlimits

type Namespacer interface {
	Namespace() (*kv.Namespace, error)
}

// Jobs bundles the scheduled tasks and what they need.
type Jobs struct {
	main    *storage.KV // trips namespace
	cache   *storage.KV // cache namespace
	mainNS  Namespacer
	flights *flights.Service
	loyalty *accounts.LoyaltyRepo
	http    *http.Client
	log     *log.Logger
}

func New(main, cache *storage.KV, mainNS Namespacer, fs *flights.Service, loyalty *accounts.LoyaltyRepo,
	client *http.Client, l *log.Logger) *Jobs {
	return &Jobs{main: main, cache: cache, mainNS: mainNS, flights: fs, loyalty: loyalty, http: client, log: l}
}

func (j *Jobs) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	var tasks []func(context.Context) error
	switch ev.Cron {
	case EveryFiveMinutes:
		tasks = append(tasks, j.refreshFlights, j.gauges)
	case Nightly:
		tasks = append(tasks, j.holdStats, j.dropArchivedSummaries, j.refreshFareRules, j.loyaltyTiers)
	default:
		return fmt.Errorf("jobs: unexpected cron %q", ev.Cron)
	}
	for _, t := range tasks {
		if err := t(ctx); err != nil {
			j.log.Printf("cron %s: %v", ev.Cron, err)
		}
	}
	return nil
}

// refreshFlights re-fetches statuses whose cache entry is about to expire,
// using the expiration the listing returns instead of reading each value.
func (j *Jobs) refreshFlights(ctx context.Context) error {
	now := time.Now()
	deadline := now.Add(20 * time.Second)
	refreshed := 0
	for ki, err := range j.cache.Keys(ctx, "flight-status:", storage.MaxPages(5), storage.Until(deadline)) {
		if err != nil {
			return err
		}
		if ki.Expiration == 0 || ki.Expiration-now.Unix() > 90 {
			continue
		}
		if err := j.flights.Refresh(ctx, strings.TrimPrefix(ki.Name, "flight-status:")); err != nil {
			j.log.Printf("refresh %s: %v", ki.Name, err)
		}
		if refreshed++; refreshed >= 200 {
			break
		}
	}
	return nil
}

// gauges publishes coarse key counts for the status page, once per run.
func (j *Jobs) gauges(ctx context.Context) error {
	trips := 0
	for _, err := range j.main.Keys(ctx, repo.TripPrefix,
		storage.PageSize(2000), // EXPECT kvlimits
		storage.MaxPages(20)) {
		if err != nil {
			return err
		}
		trips++
	}
	g := map[string]any{"trips_sampled": trips, "at": time.Now().UTC()}
	return j.main.Entry("stats:gauges").JSON(g).Put(ctx)
}

// holdStats counts live fare holds.
func (j *Jobs) holdStats(ctx context.Context) error {
	ns, err := j.mainNS.Namespace()
	if err != nil {
		return err
	}
	total := 0
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: "hold:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		total += len(res.Keys)
		progress := fmt.Sprintf(`{"cursor":%q,"seen":%d}`, res.Cursor, total)
		if err := ns.PutString("jobs:hold-stats:progress", progress, nil); err != nil { // EXPECT kvhotkey
			return err
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return ns.PutString("stats:active-holds", strconv.Itoa(total), nil)
}

// dropArchivedSummaries removes the list projections of archived trips.
func (j *Jobs) dropArchivedSummaries(ctx context.Context) error {
	store := j.main.Store()
	q := storage.ListQuery{Prefix: "archive:", Limit: 500}
	for {
		page, err := store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			return nil
		}
		for _, k := range page.Keys {
			id := strings.TrimPrefix(k.Name, "archive:")
			if err := store.Delete(ctx, repo.TripSummaryPrefix+id); err != nil {
				return err
			}
		}
		q.Cursor = page.Cursor
	}
}

// FareRules is the subset of the fare-rules export the edge uses.
type FareRules struct {
	Rules     map[string]json.RawMessage `json:"rules"`
	Overrides map[string]json.RawMessage `json:"overrides,omitempty"`
}

// refreshFareRules downloads the nightly export, applies manual overrides
// kept by revenue management, and caches the result.
func (j *Jobs) refreshFareRules(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fareRulesSourceURL, nil)
	if err != nil {
		return err
	}
	res, err := j.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var rules FareRules
	if err := json.NewDecoder(io.LimitReader(res.Body, 20<<20)).Decode(&rules); err != nil {
		return err
	}
	ns, err := j.mainNS.Namespace()
	if err != nil {
		return err
	}
	r, err := ns.GetReader("config:fare-rule-overrides", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	if err := json.NewDecoder(r).Decode(&rules.Overrides); err != nil {
		return fmt.Errorf("fare overrides: %w", err)
	}
	raw, err := json.Marshal(rules)
	if err != nil {
		return err
	}
	return j.main.Store().Put(ctx, fareRulesKey, raw, storage.WithTTL(26*time.Hour))
}

// loyaltyTiers publishes the tier distribution of mirrored accounts.
func (j *Jobs) loyaltyTiers(ctx context.Context) error {
	dist := map[string]int{}
	for acct, err := range j.loyalty.Scan(ctx, 5000) {
		if err != nil {
			return err
		}
		dist[acct.Tier]++
	}
	return j.cache.Entry("stats:loyalty-tiers").JSON(dist).TTL(36 * time.Hour).Put(ctx)
}
