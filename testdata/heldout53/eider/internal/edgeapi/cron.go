//go:build js && wasm

package edgeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/lakeshore-hospitality/eider/internal/domain"
	"github.com/lakeshore-hospitality/eider/internal/edgekv"
)

// maxSweepPages bounds how much of a namespace one cron run may walk.
const maxSweepPages = 20

// Nightly runs the scheduled jobs of the Worker. It is registered with
// cron.ScheduleTask and runs once per trigger.
func Nightly(ctx context.Context) error {
	s, err := New(ctx)
	if err != nil {
		return err
	}
	jobs := []struct {
		name string
		run  func(context.Context) error
	}{
		{"export", s.exportAvailability},
		{"stop-sell", s.sweepStopSell},
		{"plans", s.reindexPlans},
		{"audit", s.compactAudit},
	}
	for _, j := range jobs {
		start := time.Now()
		if err := j.run(ctx); err != nil {
			log.Printf("cron %s: %v", j.name, err)
			continue
		}
		log.Printf("cron %s: done in %s", j.name, time.Since(start))
	}
	return s.Inventory.Put("cron:last-run", time.Now().UTC().Format(time.RFC3339), 0)
}

// exportAvailability writes one snapshot of every count for the revenue
// team's morning report.
func (s *Server) exportAvailability(ctx context.Context) error {
	kv := s.app.deps.store.kv
	if err := kv.PutString("export:lock", "1", &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	}); err != nil {
		return err
	}
	var rows []domain.Availability
	cursor := ""
	for {
		res, err := kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "inv:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			raw, err := kv.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return err
			}
			var a domain.Availability
			if raw != "<null>" && json.Unmarshal([]byte(raw), &a) == nil {
				rows = append(rows, a)
			}
		}
		_ = kv.PutString("export:progress", fmt.Sprintf("%d rows, cursor %s", len(rows), res.Cursor), nil) // EXPECT kvhotkey
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	day := time.Now().UTC().Format(domain.DateLayout)
	return kv.PutString("export:availability:"+day, string(b), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(7 * 24 * time.Hour), // EXPECT kvttl
	})
}

// sweepStopSell removes stop-sell markers for nights that have passed.
func (s *Server) sweepStopSell(ctx context.Context) error {
	today := time.Now().UTC().Format(domain.DateLayout)
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "stopsell:"}
	for {
		res, err := s.Inventory.Raw().List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			return nil
		}
		for _, k := range res.Keys {
			parts := strings.Split(k.Name, ":")
			if len(parts) == 3 && parts[2] < today {
				if err := s.Inventory.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		opts.Cursor = res.Cursor
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// reindexPlans rebuilds the list of published plan IDs the booking widget
// offers.
func (s *Server) reindexPlans(ctx context.Context) error {
	var ids []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "plan:", Limit: 1000}
	for page := 0; page < maxSweepPages; page++ {
		res, err := s.Rates.Raw().List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, "plan:"))
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	b, _ := json.Marshal(ids)
	return s.Rates.Put("plan-index", string(b), 0)
}

// compactAudit trims audit logs of stays that checked out, a bounded number
// of pages per night.
func (s *Server) compactAudit(ctx context.Context) error {
	cursor := ""
	for page := 0; page < maxSweepPages; page++ {
		p, err := s.Links.ListPage("audit:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, name := range p.Names {
			ref := strings.TrimPrefix(name, "audit:")
			if err := s.Links.Put("audit-archived:"+ref, time.Now().UTC().Format(time.RFC3339), 30*24*time.Hour); err != nil {
				return err
			}
		}
		if p.Done {
			return nil
		}
		cursor = p.Cursor
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
	}
	return nil
}

// recentHolds returns up to one page of hold IDs for the dashboard widget.
func (s *Server) recentHolds() ([]string, string, error) {
	res, err := s.Inventory.Raw().List(&cloudflare.KVNamespaceListOptions{
		Prefix: "hold:",
		Limit:  2500, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, "hold:"))
	}
	if res.ListComplete {
		return ids, "", nil
	}
	return ids, res.Cursor, nil
}

// bumpVersion tells edge caches that new plans were published. It runs
// once per publish, from the backend's trigger request.
func bumpVersion(ns *edgekv.Namespace, version int64) error {
	return ns.Put("plans:version", fmt.Sprint(version), 0) // DEBATABLE kvhotkey
}
