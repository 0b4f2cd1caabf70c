// Command kvadmin is the operations team's tool for looking into and
// repairing the Merganser KV namespaces.
//
//	kvadmin [-ns ID] [-max-pages N] [-ttl D] ls|dump|export|get|set|purge|revoke-sessions ARGS...
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"merganser/internal/cfkv"
	"merganser/internal/kvio"
)

func main() {
	var (
		nsID     = flag.String("ns", os.Getenv("MERGANSER_KV_NAMESPACE"), "namespace id")
		maxPages = flag.Int("max-pages", 20, "stop listing after this many pages")
		ttl      = flag.Duration("ttl", 0, "expiry for set")
		yes      = flag.Bool("yes", false, "do not ask before destructive commands")
	)
	flag.Parse()
	if flag.NArg() < 1 {
		flag.Usage()
		os.Exit(2)
	}
	ns := cfkv.New(os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID"), *nsID)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()

	args := flag.Args()[1:]
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		fmt.Fprintf(os.Stderr, "kvadmin %s: missing argument %d\n", flag.Arg(0), i+1)
		os.Exit(2)
		return ""
	}
	confirm := func(what string) bool {
		if *yes {
			return true
		}
		fmt.Fprintf(os.Stderr, "%s? [y/N] ", what)
		var answer string
		fmt.Scanln(&answer)
		return strings.EqualFold(answer, "y")
	}

	var err error
	switch cmd := flag.Arg(0); cmd {
	case "ls":
		err = ls(ctx, ns, arg(0), flag.Arg(2))
	case "dump":
		err = dump(ctx, ns, arg(0))
	case "export":
		err = export(ctx, ns, arg(0), *maxPages*1000)
	case "get":
		err = get(ctx, ns, arg(0))
	case "set":
		err = ns.Put(ctx, arg(0), arg(1), *ttl)
	case "purge":
		if !confirm("purge " + arg(0)) {
			return
		}
		var n int
		n, err = purge(ctx, ns, arg(0), *maxPages)
		fmt.Printf("deleted %d keys\n", n)
	case "revoke-sessions":
		if !confirm("revoke all sessions of " + arg(0)) {
			return
		}
		err = revokeSessions(ctx, ns, arg(0))
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kvadmin:", err)
		os.Exit(1)
	}
}

// ls prints one page of keys and the cursor for the next.
func ls(ctx context.Context, ns *cfkv.Namespace, prefix, cursor string) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := ns.API.KV.Namespaces.Keys.List(ctx, ns.ID, params)
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		exp := "-"
		if k.Expiration > 0 {
			exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
		}
		fmt.Printf("%-60s %s\n", k.Name, exp)
	}
	if res.ResultInfo.Cursor != "" {
		fmt.Printf("next: %s\n", res.ResultInfo.Cursor)
	}
	return nil
}

// dump prints every key under prefix with its value.
func dump(ctx context.Context, ns *cfkv.Namespace, prefix string) error {
	enc := json.NewEncoder(os.Stdout)
	cursor := ""
	for {
		page, err := ns.List(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			v, err := ns.Get(ctx, k) // EXPECT kvlist
			if errors.Is(err, kvio.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := enc.Encode(struct {
				Key   string `json:"key"`
				Value string `json:"value"`
			}{k, v}); err != nil {
				return err
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
}

// export prints the key names under prefix, up to limit.
func export(ctx context.Context, ns *cfkv.Namespace, prefix string, limit int) error {
	keys, cursor, err := kvio.Collect(ctx, ns, prefix, limit)
	for _, k := range keys {
		fmt.Println(k)
	}
	if cursor != "" {
		fmt.Fprintf(os.Stderr, "stopped at %d keys; resume with cursor %s\n", len(keys), cursor)
	}
	return err
}

func get(ctx context.Context, ns *cfkv.Namespace, key string) error {
	v, err := ns.Get(ctx, key)
	if errors.Is(err, kvio.ErrNotFound) {
		fmt.Fprintf(os.Stderr, "%s: not found\n", key)
		os.Exit(3)
	}
	if err != nil {
		return err
	}
	fmt.Println(v)
	return nil
}

// purge deletes keys under prefix, at most maxPages pages per run.
func purge(ctx context.Context, ns *cfkv.Namespace, prefix string, maxPages int) (int, error) {
	if prefix == "" || prefix == "sess:" {
		return 0, fmt.Errorf("refusing to purge %q", prefix)
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	}
	deleted := 0
	for page := 0; page < maxPages; page++ {
		res, err := ns.API.KV.Namespaces.Keys.List(ctx, ns.ID, params)
		if err != nil {
			return deleted, err
		}
		for _, k := range res.Result {
			if err := ns.Delete(ctx, k.Name); err != nil {
				return deleted, err
			}
			deleted++
		}
		if res.ResultInfo.Cursor == "" {
			return deleted, nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return deleted, nil
}

// revokeSessions signs a member out everywhere.
func revokeSessions(ctx context.Context, ns *cfkv.Namespace, memberID string) error {
	var ids []string
	if found, err := kvio.Lookup(ctx, ns, "member-sessions:"+memberID, &ids); err != nil || !found {
		return err
	}
	for _, id := range ids {
		if err := ns.Delete(ctx, "sess:"+id); err != nil { // EXPECT kvsession
			return fmt.Errorf("revoke %s: %w", id, err)
		}
	}
	return ns.Delete(ctx, "member-sessions:"+memberID) // DEBATABLE kvsession
}
