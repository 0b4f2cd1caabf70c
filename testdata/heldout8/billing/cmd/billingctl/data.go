package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
)

func notFound(err error) bool {
	var nf *cf.NotFoundError
	return errors.As(err, &nf)
}

func cmdCustomers(ctx context.Context, e env, args []string) error {
	resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, cf.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: "cust:", Limit: 1000}) // EXPECT kvlist
	if err != nil {
		return err
	}
	active := 0
	for _, k := range resp.Result {
		if k.Expiration == 0 {
			active++
		}
	}
	fmt.Printf("%d customers (%d active)\n", len(resp.Result), active)
	return nil
}

type exportLine struct {
	Key        string `json:"key"`
	Expiration int    `json:"expiration,omitempty"`
	Metadata   any    `json:"metadata,omitempty"`
}

func cmdExport(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	_ = fs.Parse(args)
	enc := json.NewEncoder(os.Stdout)
	params := cf.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: *prefix, Limit: 1000}
	for {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(resp.Result) == 0 {
			break
		}
		for _, k := range resp.Result {
			if err := enc.Encode(exportLine{Key: k.Name, Expiration: k.Expiration, Metadata: k.Metadata}); err != nil {
				return err
			}
		}
		params.Cursor = resp.ResultInfo.Cursor
	}
	return nil
}

// importBatch is the bulk endpoint's pair limit.
const importBatch = 10_000

func cmdImport(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	file := fs.String("file", "", "JSON lines with key, value and optional metadata")
	ttl := fs.Duration("ttl", 0, "expire imported keys after this long (0 = never)")
	_ = fs.Parse(args)
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	var pairs []*cf.WorkersKVPair
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 32<<20)
	for sc.Scan() {
		var p cf.WorkersKVPair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return fmt.Errorf("line %d: %w", len(pairs)+1, err)
		}
		if *ttl > 0 {
			p.ExpirationTTL = int(max(*ttl, time.Minute).Seconds())
		}
		pairs = append(pairs, &p)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for len(pairs) > 0 {
		n := min(importBatch, len(pairs))
		if _, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: pairs[:n]}); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "imported %d\n", n)
		pairs = pairs[n:]
	}
	return nil
}

func cmdAudit(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("audit", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	pages := fs.Int("pages", 5, "maximum pages to scan")
	_ = fs.Parse(args)
	params := cf.ListWorkersKVsParams{
		NamespaceID: e.ns,
		Prefix:      *prefix,
		Limit:       5000, // EXPECT kvlimits
	}
	for i := 0; i < *pages; i++ {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params)
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			exp := "never"
			if k.Expiration > 0 {
				exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
			}
			fmt.Printf("%s\t%s\n", k.Name, exp)
		}
		if resp.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = resp.ResultInfo.Cursor
	}
	fmt.Fprintln(os.Stderr, "more keys remain; raise -pages")
	return nil
}

func cmdMigrateV2(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("migrate-v2", flag.ExitOnError)
	in := fs.String("ids", "", "file with one customer id per line")
	_ = fs.Parse(args)
	raw, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	for _, id := range strings.Fields(string(raw)) {
		v1, err := e.api.GetWorkersKV(ctx, e.rc, cf.GetWorkersKVParams{NamespaceID: e.ns, Key: "customer/" + id})
		if notFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cf.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: "cust:" + id, Value: v1}); err != nil {
			return err
		}
		// Checkpoint so a re-run can skip what is done.
		if _, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cf.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: "migrate:v2:last", Value: []byte(id)}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
