// Command leaguectl is the operators' tool for the league namespace.
//
//	leaguectl backfill -field riverside -year 2025
//	leaguectl export   -prefix team: > teams.jsonl
//	leaguectl purge    -prefix tmp: -dry-run=false
//	leaguectl rekey    -from plr: -to player:
//	leaguectl ttl-fix  -in cache-dump.jsonl -ttl 10m
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/plover/internal/backend/cfkv"
	"example.com/plover/internal/backend/store"
	"example.com/plover/internal/keys"
)

// target is the account and namespace every subcommand works on.
type target struct {
	account   *string
	namespace *string
}

func bind(fs *flag.FlagSet) target {
	return target{
		account:   fs.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID"),
		namespace: fs.String("namespace", os.Getenv("PLOVER_KV_NAMESPACE"), "KV namespace ID"),
	}
}

func (t target) ns() store.Namespace { return cfkv.New(*t.account).Namespace(*t.namespace) }

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: leaguectl backfill|export|purge|rekey|ttl-fix [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch args := os.Args[2:]; os.Args[1] {
	case "backfill":
		err = backfill(ctx, args)
	case "export":
		err = export(ctx, args, os.Stdout)
	case "purge":
		err = purge(ctx, args)
	case "rekey":
		err = rekey(ctx, args)
	case "ttl-fix":
		err = ttlFix(ctx, args, os.Stdin)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "leaguectl:", err)
		os.Exit(1)
	}
}

// backfill creates a year of half-hour booking slots for a field.
func backfill(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backfill", flag.ExitOnError)
	t := bind(fs)
	field := fs.String("field", "", "field to create booking slots for")
	year := fs.Int("year", time.Now().Year(), "calendar year")
	fs.Parse(args)
	if *field == "" {
		return fmt.Errorf("backfill: -field is required")
	}
	const slotsPerYear = 366 * 48
	start := time.Date(*year, time.January, 1, 0, 0, 0, 0, time.UTC)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, slotsPerYear)
	for i := range slotsPerYear {
		at := start.Add(time.Duration(i) * 30 * time.Minute)
		key := strconv.AppendInt(fmt.Appendf(nil, "slot:%s:", keys.Part(*field)), at.Unix(), 10)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(string(key)),
			Value: cloudflare.F("free"),
		})
	}
	_, err := cfkv.Default().KV.Namespaces.Bulk.Update(ctx, *t.namespace, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(*t.account),
		Body:      body,
	})
	return err
}

// export writes key names, expiries and metadata as JSON lines.
func export(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	t := bind(fs)
	prefix := fs.String("prefix", "", "only keys starting with this")
	maxKeys := fs.Int("max-keys", 50_000, "stop after this many keys")
	fs.Parse(args)
	ns := t.ns()

	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriter(pw)
		enc := json.NewEncoder(bw)
		pw.CloseWithError(func() error {
			for cursor, n := "", 0; n < *maxKeys; {
				page, err := ns.List(ctx, *prefix, cursor, 1000)
				if err != nil {
					return err
				}
				for _, e := range page.Entries {
					if err := enc.Encode(e); err != nil {
						return err
					}
					n++
				}
				if page.Complete() {
					break
				}
				cursor = page.Cursor
			}
			return bw.Flush()
		}())
	}()
	_, err := io.Copy(out, pr)
	return err
}

// purge deletes every key under a prefix, a page at a time.
func purge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ExitOnError)
	t := bind(fs)
	prefix := fs.String("prefix", "", "delete keys starting with this (required)")
	pages := fs.Int("pages", 10, "most pages of 1000 keys to delete")
	dry := fs.Bool("dry-run", true, "only print what would be deleted")
	fs.Parse(args)
	if *prefix == "" {
		return fmt.Errorf("purge: -prefix is required")
	}
	ns := t.ns()
	cursor := ""
	for range *pages {
		page, err := ns.List(ctx, *prefix, cursor, 1000)
		if err != nil {
			return err
		}
		names := make([]string, len(page.Entries))
		for i, e := range page.Entries {
			names[i] = e.Name
		}
		if *dry {
			fmt.Println(strings.Join(names, "\n"))
		} else if err := bulkDelete(ctx, t, names); err != nil {
			return err
		}
		if page.Complete() {
			return nil
		}
		cursor = page.Cursor
	}
	return nil
}

func bulkDelete(ctx context.Context, t target, names []string) error {
	if len(names) == 0 {
		return nil
	}
	body, _ := json.Marshal(names)
	_, err := cfkv.Default().KV.Namespaces.Bulk.Delete(ctx, *t.namespace, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(*t.account),
	}, option.WithRequestBody("application/json", body))
	return err
}

// rekey moves keys from one prefix to another, keeping metadata and expiry.
func rekey(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rekey", flag.ExitOnError)
	t := bind(fs)
	from := fs.String("from", "", "old prefix")
	to := fs.String("to", "", "new prefix")
	pages := fs.Int("pages", 100, "most pages to move")
	fs.Parse(args)
	if *from == "" || *to == "" {
		return fmt.Errorf("rekey: -from and -to are required")
	}
	ns := t.ns()
	cursor := ""
	for range *pages {
		page, err := ns.List(ctx, *from, cursor, 1000)
		if err != nil {
			return err
		}
		for _, e := range page.Entries {
			if !e.Expires.IsZero() && time.Until(e.Expires) < time.Minute {
				continue // about to expire; not worth moving
			}
			v, err := ns.Get(ctx, e.Name) // EXPECT kvlist
			if store.IsNotFound(err) {
				continue
			} else if err != nil {
				return err
			}
			dst := *to + strings.TrimPrefix(e.Name, *from)
			if err := ns.Put(ctx, dst, v, &store.PutOpts{ExpireAt: e.Expires, Metadata: e.Metadata}); err != nil {
				return err
			}
			if err := ns.Delete(ctx, e.Name); err != nil {
				return err
			}
		}
		if page.Complete() {
			return nil
		}
		cursor = page.Cursor
	}
	return fmt.Errorf("rekey: stopped after %d pages; run again to continue", *pages)
}

// ttlFix rewrites the pairs in a dump with a new lifetime, for cache
// entries that were written without one.
func ttlFix(ctx context.Context, args []string, stdin io.Reader) error {
	fs := flag.NewFlagSet("ttl-fix", flag.ExitOnError)
	t := bind(fs)
	in := fs.String("in", "-", `JSON lines of {"key","value"}; "-" for stdin`)
	ttl := fs.Duration("ttl", 45*time.Second, "lifetime to give every key") // DEBATABLE kvttl
	fs.Parse(args)

	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		stdin = f
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64<<10), 32<<20)
	var items []store.Item
	for sc.Scan() {
		var rec struct{ Key, Value string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return fmt.Errorf("line %d: %w", len(items)+1, err)
		}
		items = append(items, store.Item{Key: rec.Key, Value: []byte(rec.Value), TTL: *ttl})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return t.ns().PutMany(ctx, items)
}
