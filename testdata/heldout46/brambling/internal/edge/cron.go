//go:build js && wasm

package edge

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"brambling/internal/keys"
)

var (
	apiOnce sync.Once
	api     *API
	apiErr  error
)

func instance() (*API, error) {
	apiOnce.Do(func() { api, apiErr = NewAPI() })
	return api, apiErr
}

type lazy struct{}

func (lazy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, err := instance()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.ServeHTTP(w, r)
}

// Lazy returns a handler that binds KV on the first request, when the
// runtime context is available.
func Lazy() http.Handler { return lazy{} }

// Scheduled runs the Worker's cron triggers.
func Scheduled(ctx context.Context) (err error) {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	a, err := instance()
	if err != nil {
		return err
	}
	defer func() {
		stamp := ev.ScheduledTime.Format(time.RFC3339)
		if err != nil {
			stamp += " " + err.Error()
		}
		_ = a.ops.Put("cron/"+ev.Cron+"/last-run", stamp, 0)
	}()
	switch ev.Cron {
	case "*/15 * * * *":
		return errors.Join(a.sweepCarts(), a.sweepHolds(ev.ScheduledTime))
	case "0 4 * * *":
		return errors.Join(a.countSessions(), a.dropStaleViews())
	}
	return nil
}

// sweepCarts drops empty carts older than a day.
func (a *API) sweepCarts() error {
	opts := &kv.ListOptions{Prefix: "cart/"}
	var errs []error
	for pages := 0; pages < 50; pages++ {
		res, err := a.sessions.ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			raw, ok, err := a.sessions.Get(k.Name, 0) // EXPECT kvlist
			if err != nil || !ok {
				continue
			}
			if c, err := decodeCart(raw); err == nil && len(c.Lines) == 0 && time.Since(time.Unix(c.Created, 0)) > 24*time.Hour {
				errs = append(errs, a.sessions.Delete(k.Name))
			}
		}
		opts.Cursor = res.Cursor
	}
	return errors.Join(errs...)
}

// sweepHolds removes slot holds whose slot has started.
func (a *API) sweepHolds(now time.Time) error {
	cutoff := now.UTC().Format("20060102T1504")
	res, err := a.catalog.ns.List(&kv.ListOptions{Prefix: "slot/", Limit: 1000})
	var errs []error
	for pages := 0; err == nil && pages < 20; pages++ {
		for _, k := range res.Keys {
			parts := strings.Split(k.Name, "/")
			if len(parts) == 3 && parts[2] < cutoff {
				errs = append(errs, a.catalog.Delete(k.Name))
			}
		}
		if res.ListComplete {
			return errors.Join(errs...)
		}
		res, err = a.catalog.ns.List(&kv.ListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	return errors.Join(append(errs, err)...)
}

// countSessions publishes the number of live sessions for the status page.
func (a *API) countSessions() error {
	res, err := a.sessions.ns.List(&kv.ListOptions{Prefix: "sess/"}) // EXPECT kvlist
	if err != nil {
		return err
	}
	return a.ops.Put("stats/live-sessions", strconv.Itoa(len(res.Keys)), 0)
}

// dropStaleViews removes view tallies of recipes that are not on this
// week's menu in any region.
func (a *API) dropStaleViews() error {
	week, ok, err := a.catalog.Get(keys.MenuCurrent, 600)
	if err != nil || !ok {
		return err
	}
	live := map[string]bool{}
	if _, err := a.catalog.Scan("menu/"+week+"/", 5, func(k *kv.ListKey) error {
		body, _, err := a.catalog.Get(k.Name, 600) // EXPECT kvlist
		for _, slug := range strings.Split(body, "\n") {
			live[slug] = true
		}
		return err
	}); err != nil {
		return err
	}
	var errs []error
	resume, err := a.ops.Scan("views/recipe/", 10, func(k *kv.ListKey) error {
		if !live[strings.TrimPrefix(k.Name, "views/recipe/")] {
			errs = append(errs, a.ops.Delete(k.Name))
		}
		return nil
	})
	if resume != "" {
		slog.Info("views sweep incomplete", "cursor", resume)
	}
	return errors.Join(append(errs, err)...)
}
