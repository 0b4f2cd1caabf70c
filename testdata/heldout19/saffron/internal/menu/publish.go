//go:build js && wasm

// Package menu publishes restaurant menus to the edge and serves them.
// D1 is the source of truth; KV holds the published copies.
package menu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"example.com/saffron/internal/ledger"
	"example.com/saffron/internal/retry"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

var now = time.Now

const (
	indexKey    = "menu:index"
	manifestKey = "."
)

// Source is where published menus come from.
type Source interface {
	PublishedMenus(ctx context.Context, since int64) ([]ledger.MenuRow, error)
	Dish(ctx context.Context, id string) (string, error)
}

// Publisher copies newly published menus from D1 to KV on each cron tick.
type Publisher struct {
	ns      func() (*kv.Namespace, error)
	source  Source
	tenants map[string]string
}

// NewPublisher returns a publisher writing to binding. tenants maps each
// restaurant group to the binding of its own namespace.
func NewPublisher(binding string, source Source, tenants map[string]string) *Publisher {
	return &Publisher{
		ns:      sync.OnceValues(func() (*kv.Namespace, error) { return kv.NewNamespace(binding) }),
		source:  source,
		tenants: tenants,
	}
}

// Tick is the cron entry point.
func (p *Publisher) Tick(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := p.ns()
	if err != nil {
		return err
	}
	since := ev.ScheduledTime.Add(-20 * time.Minute).Unix()
	rows, err := p.source.PublishedMenus(ctx, since)
	if err != nil {
		return fmt.Errorf("menu: load published: %w", err)
	}
	var errs []error
	added := make([]string, 0, len(rows))
	for _, r := range rows {
		key := menuKey(r.Restaurant, r.Slug)
		if err := ns.PutString(key, r.Body, nil); err != nil {
			errs = append(errs, fmt.Errorf("publish %s: %w", key, err))
			continue
		}
		added = append(added, r.Restaurant+"/"+r.Slug)
	}
	if len(added) > 0 {
		errs = append(errs, p.addToIndex(ctx, ns, added))
	}
	errs = append(errs, ns.PutString("menu:last-publish", ev.ScheduledTime.UTC().Format(time.RFC3339), nil))
	return errors.Join(errs...)
}

func (p *Publisher) addToIndex(ctx context.Context, ns *kv.Namespace, added []string) error {
	return retry.Do(ctx, 3, func(ctx context.Context) error {
		raw, err := ns.GetString(indexKey, nil)
		if err != nil {
			return err
		}
		var idx []string
		if raw != "<null>" {
			if err := json.Unmarshal([]byte(raw), &idx); err != nil {
				return retry.Permanent(err)
			}
		}
		for _, a := range added {
			if i, found := slices.BinarySearch(idx, a); !found {
				idx = slices.Insert(idx, i, a)
			}
		}
		b, err := json.Marshal(idx)
		if err != nil {
			return retry.Permanent(err)
		}
		return ns.PutString(indexKey, string(b), nil) // EXPECT kvrace
	})
}

// PublishHappyHour puts a time-boxed menu live until end.
func (p *Publisher) PublishHappyHour(ctx context.Context, restaurant, body string, end time.Time) error {
	ns, err := p.ns()
	if err != nil {
		return err
	}
	if !end.After(now()) {
		return fmt.Errorf("menu: happy hour already over")
	}
	return ns.PutString("menu:happy-hour:"+restaurant, body, &kv.PutOptions{
		ExpirationTTL: int(time.Until(end).Seconds()), // EXPECT kvttl
	})
}

// PublishSeasonal puts a seasonal menu live until the season closes.
func (p *Publisher) PublishSeasonal(ctx context.Context, restaurant, season, body string, closes time.Time) error {
	ns, err := p.ns()
	if err != nil {
		return err
	}
	return ns.PutString("menu:seasonal:"+restaurant+":"+season, body, &kv.PutOptions{
		Expiration: int(closes.UnixMilli()), // EXPECT kvttl
	})
}

// WriteManifests stores each tenant's menu manifest at the root of its
// namespace, where the group's static site reads it.
func (p *Publisher) WriteManifests(ctx context.Context, manifests map[string][]string) error {
	var errs []error
	for tenant, binding := range p.tenants {
		slugs, ok := manifests[tenant]
		if !ok {
			continue
		}
		tns, err := kv.NewNamespace(binding)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		body, _ := json.Marshal(map[string]any{"tenant": tenant, "menus": slugs, "generated": now().UTC()})
		if err := tns.PutString(manifestKey, string(body), nil); err != nil { // EXPECT kvlimits
			errs = append(errs, fmt.Errorf("manifest %s: %w", tenant, err))
		}
	}
	return errors.Join(errs...)
}

func menuKey(restaurant, slug string) string { return "menu:published:" + restaurant + ":" + slug }
