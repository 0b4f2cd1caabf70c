package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
)

// purge deletes every key under a prefix.
func (e *env) purge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ExitOnError)
	ns := fs.String("ns", "", "namespace ID")
	prefix := fs.String("prefix", "", "key prefix (required)")
	dry := fs.Bool("dry-run", false, "only print what would be deleted")
	fs.Parse(args)
	if *ns == "" || *prefix == "" {
		return fmt.Errorf("purge: -ns and -prefix are required")
	}

	params := cf.ListWorkersKVsParams{NamespaceID: *ns, Prefix: *prefix, Limit: 1000}
	total := 0
	for {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if !*dry && len(keys) > 0 {
			if _, err := e.api.DeleteWorkersKVEntries(ctx, e.rc, cf.DeleteWorkersKVEntriesParams{NamespaceID: *ns, Keys: keys}); err != nil {
				return err
			}
		}
		total += len(keys)
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	fmt.Printf("purged %d keys under %q\n", total, *prefix)
	return nil
}

// export writes keys (and optionally values) under a prefix as JSON lines.
func (e *env) export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	ns := fs.String("ns", "", "namespace ID")
	prefix := fs.String("prefix", "", "key prefix")
	maxPages := fs.Int("max-pages", 20, "stop after this many pages")
	values := fs.Bool("values", false, "include values (one read per key)")
	fs.Parse(args)

	base := cf.ListWorkersKVsParams{NamespaceID: *ns, Prefix: *prefix, Limit: 1000}
	enc := json.NewEncoder(os.Stdout)
	cursor := ""
	for page := 0; page < *maxPages; page++ {
		p := base
		p.Cursor = cursor
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, p)
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			row := map[string]any{"key": k.Name, "expiration": k.Expiration, "metadata": k.Metadata}
			if *values {
				v, err := e.api.GetWorkersKV(ctx, e.rc, cf.GetWorkersKVParams{NamespaceID: *ns, Key: k.Name}) // EXPECT kvlist
				if err != nil {
					return fmt.Errorf("export %s: %w", k.Name, err)
				}
				row["value"] = string(v)
			}
			if err := enc.Encode(row); err != nil {
				return err
			}
		}
		if resp.Cursor == "" {
			return nil
		}
		cursor = resp.Cursor
	}
	fmt.Fprintf(os.Stderr, "export: stopped after %d pages, resume with cursor %s\n", *maxPages, cursor)
	return nil
}

// reindex rebuilds the by-fleet index from the registry.
func (e *env) reindex(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	fleets := fs.String("fleets", "", "comma-separated fleet IDs")
	batch := fs.Int("batch", 5000, "pairs per bulk write")
	fs.Parse(args)

	var pairs []*cf.WorkersKVPair
	for _, fleet := range strings.Split(*fleets, ",") {
		devices, err := e.reg.FleetDevices(ctx, fleet)
		if err != nil {
			return fmt.Errorf("reindex %s: %w", fleet, err)
		}
		for _, d := range devices {
			pairs = append(pairs, &cf.WorkersKVPair{
				Key:      fmt.Sprintf("by-fleet:%s:%s", fleet, d.ID),
				Value:    d.Serial,
				Metadata: map[string]string{"model": d.Model, "fw": d.Firmware},
			})
		}
	}
	i := 0
	for chunk := range slices.Chunk(pairs, min(max(*batch, 1), 10000)) {
		i++
		if _, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: e.cfg.NS.Devices, KVs: chunk}); err != nil {
			return err
		}
		checkpoint := fmt.Sprintf(`{"chunk":%d,"at":%d}`, i, time.Now().Unix())
		if _, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cf.WriteWorkersKVEntryParams{NamespaceID: e.cfg.NS.Devices, Key: "reindex:checkpoint", Value: []byte(checkpoint)}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	fmt.Printf("reindexed %d devices\n", len(pairs))
	return nil
}
