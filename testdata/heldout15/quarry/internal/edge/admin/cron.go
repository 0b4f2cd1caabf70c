//go:build js && wasm

package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"

	"example.com/quarry/internal/edge/kvx"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/lease"
	"example.com/quarry/internal/outbox"
)

// refreshEvery matches the "*/15 * * * *" trigger in wrangler.toml.
const refreshEvery = 15 * time.Minute

type job struct {
	name string
	run  func(ctx context.Context) error
}

type heartbeat struct {
	Cron string    `json:"cron"`
	Job  string    `json:"job"`
	At   time.Time `json:"at"`
	Took string    `json:"took"`
	Err  string    `json:"err,omitempty"`
}

// featured lists the accounts whose reports are kept warm.
type featured struct {
	Account ids.AccountID `json:"account"`
	Queries []ids.QueryID `json:"queries"`
}

// Scheduled is the cron.Task for the Worker's scheduled trigger.
func (a *Admin) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	jobs := []job{
		{"outbox-relay", a.relayOutbox},
		{"reports-refresh", func(ctx context.Context) error { return a.refreshReports(ctx, ev.ScheduledTime) }},
		{"top-accounts", func(ctx context.Context) error { _, err := a.svc.Reports.PublishTopAccounts(ctx); return err }},
		{"zone-stats", a.PublishZoneStats},
		{"prune-tmp", a.pruneTmp},
	}
	var errs []error
	for _, j := range jobs {
		start := time.Now()
		err := j.run(ctx)
		hb := heartbeat{Cron: ev.Cron, Job: j.name, At: start.UTC(), Took: time.Since(start).Round(time.Millisecond).String()}
		if err != nil && !errors.Is(err, lease.ErrHeld) {
			hb.Err = err.Error()
			errs = append(errs, fmt.Errorf("%s: %w", j.name, err))
		}
		b, _ := json.Marshal(hb)
		if perr := a.ns.PutString("cron/heartbeat", string(b), nil); perr != nil { // EXPECT kvhotkey
			slog.Warn("heartbeat", "err", perr)
		}
	}
	return errors.Join(errs...)
}

func (a *Admin) relayOutbox(ctx context.Context) error {
	release, err := a.leases.Acquire(ctx, "outbox-relay", 45*time.Second) // EXPECT kvttl
	if err != nil {
		return err
	}
	defer release()
	target := a.env("EVENTS_URL")
	publish := func(ctx context.Context, ev outbox.Event) error {
		b, _ := json.Marshal(ev)
		resp, err := a.http.Post(target+"?seq="+strconv.FormatInt(ev.Seq, 10), "application/json", bytes.NewReader(b))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("subscriber: %s", resp.Status)
		}
		return nil
	}
	const maxRounds = 10
	for round := 0; round < maxRounds; round++ {
		n, more, err := a.svc.Outbox.Relay(ctx, publish)
		if err != nil {
			return err
		}
		slog.Info("outbox relayed", "events", n, "round", round)
		if !more {
			return nil
		}
	}
	return nil
}

func (a *Admin) refreshReports(ctx context.Context, scheduled time.Time) error {
	release, err := a.leases.Acquire(ctx, "reports-refresh", a.cfg.Lease.TTL.Duration)
	if err != nil {
		return err
	}
	defer release()
	list, ok, err := kvx.GetJSON[[]featured](a.ns, "cron/featured")
	if err != nil || !ok {
		return err
	}
	ctx, cancel := context.WithDeadline(ctx, scheduled.Add(refreshEvery))
	defer cancel()
	for _, f := range list {
		n, err := a.svc.Reports.RefreshAll(ctx, f.Account, f.Queries)
		if err != nil {
			return fmt.Errorf("refresh %s after %d: %w", f.Account, n, err)
		}
	}
	return nil
}

func (a *Admin) pruneTmp(ctx context.Context) error {
	rep, err := a.svc.Maint.Prune(ctx, "tmp/", func(k string) bool {
		return strings.HasSuffix(k, ".keep")
	})
	if err != nil {
		return err
	}
	if rep.Truncated {
		slog.Info("prune truncated", "deleted", rep.Deleted, "pages", rep.Pages)
	}
	return nil
}
