//go:build js && wasm

// Package sweeper holds the worker's scheduled jobs: the hourly network
// summary, the no-show release and the reservation audit.
package sweeper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wren/edge/kvstore"
)

// maxAuditPages bounds each ten-minute run of the reservation audit.
const maxAuditPages = 5

// Jobs runs the scheduled work.
type Jobs struct {
	status       *kvstore.Store
	reservations *kvstore.Store
	log          *slog.Logger
	clock        func() time.Time
}

// New returns Jobs over the two namespaces.
func New(status, reservations *kvstore.Store, log *slog.Logger) *Jobs {
	return &Jobs{status: status, reservations: reservations, log: log, clock: time.Now}
}

// Summary is the network overview the public map shows.
type Summary struct {
	Chargers    int            `json:"chargers"`
	ByPrefix    map[string]int `json:"by_prefix"`
	Holds       int            `json:"holds"`
	GeneratedAt time.Time      `json:"generated_at"`
}

// Run dispatches on the cron expression that fired.
func (j *Jobs) Run(ctx context.Context, cron string) error {
	switch cron {
	case "0 * * * *":
		return j.Summarize(ctx)
	case "*/10 * * * *":
		return j.AuditReservations(ctx)
	case "*/5 * * * *":
		return j.ReleaseNoShows(ctx)
	default:
		j.log.Warn("unknown cron", "cron", cron)
		return nil
	}
}

// Summarize counts chargers and holds and publishes the summary once per run.
func (j *Jobs) Summarize(ctx context.Context) error {
	sum := Summary{ByPrefix: map[string]int{}, GeneratedAt: j.clock().UTC()}
	cursor := ""
	for page := 0; page < 50; page++ {
		names, next, err := j.status.Page(ctx, "status:", cursor)
		if err != nil {
			return err
		}
		for _, n := range names {
			id := strings.TrimPrefix(n, "status:")
			if strings.Contains(id, ":") {
				continue // connector entry
			}
			sum.Chargers++
			if len(id) >= 2 {
				sum.ByPrefix[id[:2]]++
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	holds, err := j.countHolds()
	if err != nil {
		return err
	}
	sum.Holds = holds
	return j.status.Save(ctx, "summary:network", sum, 0)
}

func (j *Jobs) countHolds() (int, error) {
	ns, err := j.reservations.Namespace()
	if err != nil {
		return 0, err
	}
	n := 0
	opts := &kv.ListOptions{Prefix: "hold:", Limit: 1000}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		n += len(res.Keys)
		if res.ListComplete {
			return n, nil
		}
		opts.Cursor = res.Cursor
	}
}

// AuditReservations checks that every reservation index entry points at a reservation, and logs the dangling ones.
func (j *Jobs) AuditReservations(ctx context.Context) error {
	ns, err := j.reservations.Namespace()
	if err != nil {
		return err
	}
	cursor := ""
	for page := 0; page < maxAuditPages; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: "rsv-id:", Cursor: cursor, Limit: 200})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			target, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return err
			}
			if target == "<null>" {
				continue
			}
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(j.clock()) {
				j.log.Info("index entry past expiry", "key", k.Name, "target", target)
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return nil
}

// ReleaseNoShows releases connectors whose driver was flagged as a no-show.
func (j *Jobs) ReleaseNoShows(ctx context.Context) error {
	ns, err := j.reservations.Namespace()
	if err != nil {
		return err
	}
	var resKeys []string
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: "noshow:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			resKeys = append(resKeys, strings.TrimPrefix(k.Name, "noshow:"))
		}
		if len(resKeys) >= 500 {
			break
		}
		cursor = res.Cursor
	}
	return j.release(ctx, resKeys)
}

// release deletes the reservations whose keys the no-show flags embed.
func (j *Jobs) release(ctx context.Context, resKeys []string) error {
	for _, key := range resKeys {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		j.log.Info("releasing no-show", "reservation", key)
		if err := errors.Join(j.reservations.Delete(ctx, key), j.reservations.Delete(ctx, "noshow:"+key)); err != nil {
			return fmt.Errorf("sweeper: release %s: %w", key, err)
		}
	}
	return nil
}
