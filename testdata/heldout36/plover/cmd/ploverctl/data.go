package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

type exportOptions struct {
	prefix string
	out    string
}

type exportLine struct {
	Key        string         `json:"key"`
	Expiration float64        `json:"expiration,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
}

func runExport(ctx context.Context, args []string) error {
	var o exportOptions
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.StringVar(&o.prefix, "prefix", "t:", "key prefix to export")
	fs.StringVar(&o.out, "o", "-", "output file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	w := os.Stdout
	if o.out != "-" {
		f, err := os.Create(o.out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	iter := client.API.KV.Namespaces.Keys.ListAutoPaging(ctx, client.Namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(client.AccountID),
		Prefix:    cloudflare.F(o.prefix),
	})
	for iter.Next() {
		k := iter.Current()
		if err := enc.Encode(exportLine{Key: k.Name, Expiration: k.Expiration, Metadata: k.Metadata}); err != nil {
			return err
		}
	}
	return iter.Err()
}

type importOptions struct {
	in       string
	ttl      time.Duration
	progress bool
}

type importRecord struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func runImport(ctx context.Context, args []string) error {
	var o importOptions
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.StringVar(&o.in, "i", "", "input file (JSON lines of key/value)")
	fs.DurationVar(&o.ttl, "ttl", 0, "expiry for imported keys (0 = none)")
	fs.BoolVar(&o.progress, "progress", true, "record progress in the namespace")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(o.in)
	if err != nil {
		return err
	}
	defer f.Close()
	var batch []kv.NamespaceBulkUpdateParamsBody
	done := 0
	flush := func() error {
		if err := client.BulkPut(ctx, batch); err != nil {
			return err
		}
		done += len(batch)
		batch = batch[:0]
		if !o.progress {
			return nil
		}
		return client.Put(ctx, "ops:import:progress", []byte(fmt.Sprint(done)), 0) // EXPECT kvhotkey
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 32<<20)
	for sc.Scan() {
		var rec importRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return fmt.Errorf("line %d: %w", done+len(batch)+1, err)
		}
		p := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(rec.Key), Value: cloudflare.F(rec.Value)}
		if o.ttl > 0 {
			p.ExpirationTTL = cloudflare.F(max(o.ttl, time.Minute).Seconds())
		}
		batch = append(batch, p)
		if len(batch) == 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return flush()
	}
	return nil
}

type peekOptions struct {
	prefix string
}

func runPeek(ctx context.Context, args []string) error {
	var o peekOptions
	fs := flag.NewFlagSet("peek", flag.ContinueOnError)
	fs.StringVar(&o.prefix, "prefix", "", "key prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	page, err := client.API.KV.Namespaces.Keys.List(ctx, client.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(client.AccountID),
		Prefix:    cloudflare.F(o.prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Println(k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Println("… more keys; cursor", page.ResultInfo.Cursor)
	}
	return nil
}

type purgeOptions struct {
	prefix   string
	maxPages int
	dryRun   bool
}

func runPurge(ctx context.Context, args []string) error {
	var o purgeOptions
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.StringVar(&o.prefix, "prefix", "", "delete keys under this prefix (required)")
	fs.IntVar(&o.maxPages, "max-pages", 20, "stop after this many pages")
	fs.BoolVar(&o.dryRun, "n", false, "print keys instead of deleting")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(o.prefix) < 3 {
		return fmt.Errorf("refusing to purge prefix %q", o.prefix)
	}
	cursor := ""
	for page := 0; page < o.maxPages; page++ {
		keys, next, err := client.Keys(ctx, o.prefix, cursor, 1000)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if o.dryRun {
			fmt.Println(strings.Join(names, "\n"))
		} else if err := client.BulkDelete(ctx, names); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return fmt.Errorf("stopped after %d pages; run again to continue", o.maxPages)
}

type scanOptions struct {
	prefix string
	depth  int
}

func runScan(ctx context.Context, args []string) error {
	var o scanOptions
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.StringVar(&o.prefix, "prefix", "t:", "key prefix")
	fs.IntVar(&o.depth, "depth", 2, "number of ':' segments to group by")
	if err := fs.Parse(args); err != nil {
		return err
	}
	counts := map[string]int{}
	cursor := ""
	for pages := 0; pages < 50; pages++ {
		keys, next, err := client.Keys(ctx, o.prefix, cursor, 5000) // EXPECT kvlimits
		if err != nil {
			return err
		}
		for _, k := range keys {
			parts := strings.SplitN(k.Name, ":", o.depth+1)
			counts[strings.Join(parts[:min(o.depth, len(parts))], ":")]++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for k, n := range counts {
		fmt.Printf("%8d %s\n", n, k)
	}
	return nil
}

const seedFlags = 12000

type seedOptions struct {
	tenant string
}

func runSeed(ctx context.Context, args []string) error {
	var o seedOptions
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.StringVar(&o.tenant, "tenant", "loadtest", "tenant to seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, seedFlags)
	for i := 0; i < seedFlags; i++ {
		def, _ := json.Marshal(map[string]any{"key": fmt.Sprintf("lt-%05d", i), "enabled": i%2 == 0, "version": 1})
		pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("t:%s:flag:lt-%05d", o.tenant, i)),
			Value:         cloudflare.F(string(def)),
			ExpirationTTL: cloudflare.F(6 * 3600.0),
		})
	}
	_, err := client.API.KV.Namespaces.Bulk.Update(ctx, client.Namespace, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(client.AccountID),
		Body:      pairs,
	})
	return err
}
