// Command kvadmin is the on-call tool for inspecting and repairing the
// platform's KV namespaces.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/postmarkly/kaka/internal/kvstore"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kvadmin peek|ls|purge|seed-shards|dump [flags]")
		os.Exit(2)
	}
	ns, err := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"), "admin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx := context.Background()
	args := os.Args[2:]
	switch os.Args[1] {
	case "peek":
		err = peek(ctx, ns, args)
	case "ls":
		err = ls(ctx, ns, args)
	case "purge":
		err = purge(ctx, ns, args)
	case "seed-shards":
		err = seedShards(ctx, ns, args)
	case "dump":
		err = dump(ctx, ns, args)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kvadmin:", err)
		os.Exit(1)
	}
}

// peek shows the first few keys under a prefix.
func peek(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("peek", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	_ = fs.Parse(args)
	resp, err := ns.API.ListWorkersKVKeys(ctx, ns.Account, cloudflare.ListWorkersKVsParams{
		NamespaceID: ns.ID,
		Prefix:      *prefix,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range resp.Result {
		fmt.Println(k.Name)
	}
	return nil
}

// ls prints one page and the cursor to pass back with -cursor.
func ls(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("ls", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	cursor := fs.String("cursor", "", "resume cursor")
	limit := fs.Int("limit", 1000, "page size (10..1000)")
	_ = fs.Parse(args)
	page, err := ns.ListPage(ctx, *prefix, *cursor, min(max(*limit, 10), 1000))
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		fmt.Printf("%s\t%d\n", k.Name, k.Expiration)
	}
	if page.Cursor != "" {
		fmt.Fprintf(os.Stderr, "more: kvadmin ls -prefix %q -cursor %s\n", *prefix, page.Cursor)
	}
	return nil
}

// purge deletes every key under a prefix.
func purge(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix (required)")
	maxPages := fs.Int("max-pages", 50, "stop after this many pages")
	_ = fs.Parse(args)
	if *prefix == "" {
		return fmt.Errorf("purge: -prefix is required")
	}
	params := cloudflare.ListWorkersKVsParams{NamespaceID: ns.ID, Prefix: *prefix, Limit: 1000}
	deleted := 0
	for page := 0; page < *maxPages; page++ {
		resp, err := ns.API.ListWorkersKVKeys(ctx, ns.Account, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if len(keys) > 0 {
			if err := ns.DeleteMany(ctx, keys); err != nil {
				return err
			}
			deleted += len(keys)
		}
		if resp.Cursor == "" {
			break
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: ns.ID, Cursor: resp.Cursor, Limit: 1000}
	}
	fmt.Printf("deleted %d keys under %q\n", deleted, *prefix)
	return nil
}

// shardCount is the number of quota shards pre-created per region.
const shardCount = 16384

// seedShards pre-creates empty shard keys so the edge never sees a miss.
func seedShards(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("seed-shards", flag.ExitOnError)
	region := fs.String("region", "us", "region tag")
	_ = fs.Parse(args)
	pairs := make([]*cloudflare.WorkersKVPair, 0, shardCount)
	for i := range shardCount {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: fmt.Sprintf("shard:%s:%05d", *region, i), Value: "{}"})
	}
	_, err := ns.API.WriteWorkersKVEntries(ctx, ns.Account, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns.ID, KVs: pairs}) // EXPECT kvlimits
	return err
}

// dump writes key=value lines for a prefix, within a page and time budget.
func dump(ctx context.Context, ns *kvstore.Namespace, args []string) error {
	fs := flag.NewFlagSet("dump", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	pages := fs.Int("pages", 3, "page budget")
	timeout := fs.Duration("timeout", 30*time.Second, "overall deadline")
	_ = fs.Parse(args)
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	cursor := ""
	for p := 0; p < *pages; p++ {
		page, err := ns.ListPage(ctx, *prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			fmt.Printf("%s\t%v\n", k.Name, k.Metadata)
		}
		if page.Cursor == "" {
			return nil
		}
		cursor = page.Cursor
	}
	fmt.Fprintf(os.Stderr, "page budget reached; resume with: kvadmin ls -prefix %q -cursor %s\n", *prefix, strings.TrimSpace(cursor))
	return nil
}
