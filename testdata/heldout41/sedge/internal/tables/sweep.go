//go:build js && wasm

package tables

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"sedge/internal/result"
)

// Sweeper runs from the scheduled handler. KV expires holds on its own; the
// sweeper removes records that older releases wrote without a lifetime, and
// reports what it saw.
type Sweeper struct {
	svc *Service
}

// NewSweeper returns a sweeper over svc's stores.
func NewSweeper(svc *Service) *Sweeper { return &Sweeper{svc: svc} }

// Run performs every sweep and joins their errors.
func (sw *Sweeper) Run(ctx context.Context) error {
	jobs := []func(context.Context) result.Result[int]{
		sw.staleHolds,
		sw.seatedMarkers,
		sw.lateRecords,
		sw.waitlists,
	}
	results := make([]result.Result[int], 0, len(jobs))
	for _, job := range jobs {
		results = append(results, job(ctx))
	}
	counts, err := result.Collect(results)
	log.Printf("sweep: %v", counts)
	stamp := time.Now().UTC().Format(time.RFC3339)
	return errors.Join(err, sw.svc.meta.Put("sweep:last-run", stamp, 0))
}

// staleHolds walks every hold and removes those that carry no expiry.
func (sw *Sweeper) staleHolds(ctx context.Context) result.Result[int] {
	ns := sw.svc.holds.Namespace()
	prefix := sw.svc.holds.Prefix()
	freed := 0
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return result.Fail[int](err)
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 {
				continue
			}
			parts := strings.Split(strings.TrimPrefix(k.Name, prefix), ":")
			if len(parts) >= 2 {
				if err := ns.Delete(k.Name); err != nil {
					return result.Fail[int](err)
				}
				freed++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return result.Ok(freed)
}

// seatedMarkers counts the seated markers left from service.
func (sw *Sweeper) seatedMarkers(ctx context.Context) result.Result[int] {
	cfg := sw.svc.cfg.Load()
	n, cursor := 0, ""
	for page := range cfg.MaxSweepPages {
		res, err := sw.svc.lists.Page("", cursor)
		if err != nil {
			return result.Fail[int](fmt.Errorf("page %d: %w", page, err))
		}
		for _, k := range res.Keys {
			if strings.Contains(k.Name, ":seated:") {
				n++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return result.Ok(n)
}

// lateRecords removes late-arrival records whose hold has been confirmed.
func (sw *Sweeper) lateRecords(ctx context.Context) result.Result[int] {
	ns := sw.svc.holds.Namespace()
	opts := &kv.ListOptions{Prefix: sw.svc.holds.Prefix(), Limit: 500}
	removed := 0
	for range 50 {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return result.Fail[int](err)
		}
		for _, k := range res.Keys {
			if strings.HasSuffix(k.Name, ":late") {
				_ = ns.Delete(k.Name)
				removed++
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 500}
	}
	return result.Ok(removed)
}

// waitlists archives yesterday's waitlists to the log.
func (sw *Sweeper) waitlists(ctx context.Context) result.Result[int] {
	ns := sw.svc.lists.Namespace()
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	opts := &kv.ListOptions{
		Prefix: sw.svc.lists.Prefix(),
		Limit:  2000, // EXPECT kvlimits
	}
	archived := 0
	for range 20 {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return result.Fail[int](err)
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if strings.HasSuffix(k.Name, yesterday) {
				archived++
			}
		}
		opts.Cursor = res.Cursor
	}
	return result.Ok(archived)
}
