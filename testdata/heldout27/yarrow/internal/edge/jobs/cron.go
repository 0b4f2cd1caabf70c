//go:build js && wasm

// Package jobs holds the Worker's non-HTTP entry points: the cron trigger
// and the queue consumer.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/edge/courier"
	"example.com/yarrow/internal/edge/kds"
	"example.com/yarrow/internal/edge/kvstore"
	"example.com/yarrow/internal/storage"
)

// Cron expressions configured in wrangler.toml.
const (
	everyTenMinutes = "*/10 * * * *"
	nightly         = "0 4 * * *"
)

// rollupPages bounds the promo roll-up to a few pages per tick.
const rollupPages = 5

// Clock tells the time.
type Clock interface{ Now() time.Time }

// MenuSnapshot is the nightly export consumed by the search indexer.
type MenuSnapshot struct {
	Generated   time.Time             `json:"generated"`
	Restaurants []domain.RestaurantID `json:"restaurants"`
	Items       int                   `json:"items"`
}

// Runner runs scheduled and queued work.
type Runner struct {
	ns      config.Bindings
	menus   *kvstore.Store
	tracker *courier.Tracker
	kitchen *kds.Service
	clock   Clock
}

// ProvideRunner is the constructor used by the wiring in cmd/edge.
func ProvideRunner(cfg config.Config, menus *kvstore.Store, t *courier.Tracker, k *kds.Service, c Clock) *Runner {
	return &Runner{ns: cfg.Bindings, menus: menus, tracker: t, kitchen: k, clock: c}
}

// Scheduled is the cron entry point.
func (j *Runner) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case everyTenMinutes:
		n, err := j.sweepCarts(ctx)
		if err != nil {
			return fmt.Errorf("jobs: sweep carts: %w", err)
		}
		log.Printf("jobs: %d carts expire within the hour", n)
		if err := j.rollupPromos(ctx); err != nil {
			return fmt.Errorf("jobs: promo roll-up: %w", err)
		}
	case nightly:
		if err := j.clearKitchens(ctx); err != nil {
			return fmt.Errorf("jobs: clear kitchens: %w", err)
		}
		if err := j.reportSnapshot(ctx); err != nil {
			return fmt.Errorf("jobs: snapshot: %w", err)
		}
	default:
		return fmt.Errorf("jobs: unexpected cron %q", ev.Cron)
	}
	stamp := ev.ScheduledTime.UTC().Format(time.RFC3339)
	return j.menus.PutText(ctx, "jobs:last-run", stamp, 48*time.Hour)
}

// sweepCarts counts carts whose expiry is less than an hour away, for the
// abandoned-cart reminder e-mail.
func (j *Runner) sweepCarts(ctx context.Context) (int, error) {
	ns, err := kv.NewNamespace(j.ns.Carts)
	if err != nil {
		return 0, err
	}
	soon := int(j.clock.Now().Add(time.Hour).Unix())
	expiring := 0
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: "cart:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return expiring, err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && k.Expiration < soon {
				expiring++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return expiring, nil
}

// rollupPromos publishes the number of defined promo codes for the
// marketing dashboard. It looks at a bounded number of pages per tick and
// says so when the figure is a lower bound.
func (j *Runner) rollupPromos(ctx context.Context) error {
	ns, err := kv.NewNamespace(j.ns.Promos)
	if err != nil {
		return err
	}
	codes, complete := 0, false
	cursor := ""
	for page := 0; page < rollupPages && !complete; page++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := ns.List(&kv.ListOptions{Prefix: "promo:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		codes += len(res.Keys)
		complete, cursor = res.ListComplete, res.Cursor
	}
	// Publish even if the tick's deadline has passed.
	summary := map[string]any{"codes": codes, "complete": complete, "at": j.clock.Now().Unix()}
	return j.menus.PutJSON(context.WithoutCancel(ctx), "promo-rollup:latest", summary, storage.WriteOptions{TTL: 24 * time.Hour})
}

// clearBatch is how many restaurants the nightly job clears per run.
func (j *Runner) clearBatch() (int, error) {
	ns, err := kv.NewNamespace(j.ns.Settings)
	if err != nil {
		return 0, err
	}
	v, err := ns.GetString("jobs:clear-batch", nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("jobs: clear-batch setting: %w", err)
	}
	return n, nil
}

// restaurants returns the restaurants whose kitchens close tonight.
func (j *Runner) restaurants() ([]domain.RestaurantID, error) {
	ns, err := kv.NewNamespace(j.ns.Settings)
	if err != nil {
		return nil, err
	}
	v, err := ns.GetString("jobs:restaurants", &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil || v == kvstore.Null {
		return nil, err
	}
	var ids []domain.RestaurantID
	return ids, json.Unmarshal([]byte(v), &ids)
}

func (j *Runner) clearKitchens(ctx context.Context) error {
	ids, err := j.restaurants()
	if err != nil {
		return err
	}
	batch, err := j.clearBatch()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 25*time.Second)
	defer cancel()
	for i, r := range ids {
		if i >= batch {
			break
		}
		more := true
		for rounds := 0; rounds < 3 && more; rounds++ {
			if more, err = j.kitchen.Clear(ctx, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// reportSnapshot logs the size of last night's menu export.
func (j *Runner) reportSnapshot(ctx context.Context) error {
	r, err := j.menus.OpenReader(ctx, "menu-snapshot:latest") // EXPECT kvnull
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var snap MenuSnapshot
	if err := json.Unmarshal(raw, &snap); err != nil {
		return err
	}
	log.Printf("jobs: snapshot of %s: %d restaurants, %d items",
		snap.Generated.Format(time.DateOnly), len(snap.Restaurants), snap.Items)
	return nil
}
