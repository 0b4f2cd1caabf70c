package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// installSlots is the number of install slots in the field-service calendar.
const installSlots = 12000

// backfill seeds or repairs data written by older releases.
func (e *env) backfill(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("backfill: want slots or lastseen")
	}
	switch args[0] {
	case "slots":
		return e.backfillSlots(ctx, args[1:])
	case "lastseen":
		return e.backfillLastSeen(ctx, args[1:])
	}
	return fmt.Errorf("backfill: unknown target %q", args[0])
}

// backfillSlots creates the free install slots of the field-service calendar.
func (e *env) backfillSlots(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backfill slots", flag.ExitOnError)
	hold := fs.Duration("hold", 90*24*time.Hour, "how long an unbooked slot is kept")
	fs.Parse(args)

	pairs := make([]*cf.WorkersKVPair, 0, installSlots)
	for i := range installSlots {
		pairs = append(pairs, &cf.WorkersKVPair{
			Key:           fmt.Sprintf("slot:%05d", i),
			Value:         "free",
			ExpirationTTL: int(*hold), // EXPECT kvttl
		})
	}
	if _, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: e.cfg.NS.Devices, KVs: pairs}); err != nil { // EXPECT kvlimits
		return err
	}
	fmt.Printf("seeded %d slots\n", len(pairs))
	return nil
}

// backfillLastSeen adds the metadata that the offline sweep reads to
// last-seen records written before release 3.8.
func (e *env) backfillLastSeen(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backfill lastseen", flag.ExitOnError)
	maxPages := fs.Int("max-pages", 100, "stop after this many pages")
	fs.Parse(args)

	params := cf.ListWorkersKVsParams{
		NamespaceID: e.cfg.NS.Devices,
		Prefix:      "lastseen:",
		Limit:       2000, // EXPECT kvlimits
	}
	fixed := 0
	for page := 0; page < *maxPages; page++ {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params)
		if err != nil {
			return err
		}
		var batch []*cf.WorkersKVPair
		for _, k := range resp.Result {
			if k.Metadata != nil {
				continue
			}
			raw, err := e.api.GetWorkersKV(ctx, e.rc, cf.GetWorkersKVParams{NamespaceID: params.NamespaceID, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				continue
			}
			var v struct {
				Firmware string `json:"fw"`
				At       int64  `json:"at"`
			}
			if json.Unmarshal(raw, &v) != nil {
				continue
			}
			batch = append(batch, &cf.WorkersKVPair{ // DEBATABLE kvrace
				Key:        k.Name,
				Value:      string(raw),
				Expiration: k.Expiration,
				Metadata:   map[string]any{"at": v.At, "fw": v.Firmware},
			})
		}
		if len(batch) > 0 {
			if _, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: params.NamespaceID, KVs: batch}); err != nil {
				return err
			}
			fixed += len(batch)
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	fmt.Printf("added metadata to %d records\n", fixed)
	return nil
}

// stats counts keys per prefix family in every namespace.
func (e *env) stats(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ExitOnError)
	maxPages := fs.Int("max-pages", 200, "pages per namespace")
	publish := fs.Bool("publish", false, "store the totals for the dashboard")
	fs.Parse(args)

	namespaces := map[string]string{
		"devices":  e.cfg.NS.Devices,
		"enrol":    e.cfg.NS.Enrol,
		"sessions": e.cfg.NS.Sessions,
		"rollouts": e.cfg.NS.Rollouts,
		"commands": e.cfg.NS.Commands,
		"alerts":   e.cfg.NS.Alerts,
	}
	total := 0
	for _, name := range slices.Sorted(maps.Keys(namespaces)) {
		families := map[string]int{}
		params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.cfg.AccountID), Limit: cloudflare.F(1000.0)}
		truncated := true
		for page := 0; page < *maxPages; page++ {
			res, err := e.v3.Client.KV.Namespaces.Keys.List(ctx, namespaces[name], params)
			if err != nil {
				return fmt.Errorf("stats %s: %w", name, err)
			}
			for _, k := range res.Result {
				family, _, _ := strings.Cut(k.Name, ":")
				families[family]++
			}
			if res.ResultInfo.Cursor == "" {
				truncated = false
				break
			}
			params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
		}
		fmt.Printf("%s:\n", name)
		for _, f := range slices.Sorted(maps.Keys(families)) {
			fmt.Printf("  %-20s %8d\n", f, families[f])
			total += families[f]
		}
		if truncated {
			fmt.Printf("  (stopped after %d pages)\n", *maxPages)
		}
	}

	raw, _ := e.api.GetWorkersKV(ctx, e.rc, cf.GetWorkersKVParams{NamespaceID: e.cfg.NS.Cache, Key: "stats:key-count"}) // EXPECT kvnull
	prev, _ := strconv.Atoi(string(raw))
	fmt.Printf("total %d keys (%+d since last published)\n", total, total-prev)
	if *publish {
		_, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cf.WriteWorkersKVEntryParams{NamespaceID: e.cfg.NS.Cache, Key: "stats:key-count", Value: []byte(strconv.Itoa(total))}) // DEBATABLE kvcounter
		return err
	}
	return nil
}
