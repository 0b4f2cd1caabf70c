// Command bufflectl is the operator CLI for Bufflehead's KV namespaces.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"bufflehead/internal/bounces"
	"bufflehead/internal/restkv"
	"bufflehead/internal/senders"
	"bufflehead/internal/subscribers"
)

const usage = `usage: bufflectl [-ns id] <command> [args]

commands:
  get <key>                     print a raw value
  keys [prefix]                 print the first keys under prefix
  stats <prefix>                count keys under prefix
  sample <prefix> [n]           print n keys under prefix
  export <list-id>              export a list as JSON lines
  summarize <list-id>           summarize a list from key metadata
  import-suppressions <file>    bulk-load suppressed addresses
  seed-domains <d1,d2,...>      register allowed sending domains
  prune-optins                  delete stale opt-in tokens
  revoke-session <id>           sign out one dashboard session
  revoke-sender <sender-id>     sign out every session of a sender
  claim <sender-id> <slug>      reserve a sending subdomain
  defaults <sender-id> <name>   install default sender settings
  install-policy                install the default bounce policy
`

func main() {
	fs := flag.NewFlagSet("bufflectl", flag.ExitOnError)
	nsID := fs.String("ns", os.Getenv("BH_KV_NAMESPACE"), "KV namespace id")
	timeout := fs.Duration("timeout", 2*time.Minute, "overall timeout")
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() == 0 {
		fs.Usage()
		os.Exit(2)
	}
	c := restkv.New(os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID"), *nsID)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, c, fs.Arg(0), fs.Args()[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bufflectl:", err)
		os.Exit(1)
	}
}

func need(args []string, n int) error {
	if len(args) < n {
		return fmt.Errorf("need %d argument(s), got %d", n, len(args))
	}
	return nil
}

func run(ctx context.Context, c *restkv.Client, cmd string, args []string, out io.Writer) error {
	switch n := len(args); cmd {
	case "get":
		if n < 1 {
			return need(args, 1)
		}
		return cmdGet(ctx, c, args[0], out)
	case "keys":
		prefix := ""
		if n > 0 {
			prefix = args[0]
		}
		return cmdKeys(ctx, c, prefix, out)
	case "stats":
		if err := need(args, 1); err != nil {
			return err
		}
		return cmdStats(ctx, c, args[0], out)
	case "sample":
		if err := need(args, 1); err != nil {
			return err
		}
		limit := 25
		if n > 1 {
			if _, err := fmt.Sscan(args[1], &limit); err != nil {
				return err
			}
		}
		return cmdSample(ctx, c, args[0], limit, out)
	case "export":
		if err := need(args, 1); err != nil {
			return err
		}
		count, err := subscribers.Export(ctx, c, args[0], out)
		fmt.Fprintf(os.Stderr, "exported %d members\n", count)
		return err
	case "summarize":
		if err := need(args, 1); err != nil {
			return err
		}
		var rep subscribers.Report
		if err := subscribers.Summarize(ctx, c, args[0], 50_000, &rep); err != nil {
			return err
		}
		return json.NewEncoder(out).Encode(rep)
	case "import-suppressions":
		if err := need(args, 1); err != nil {
			return err
		}
		return cmdImport(ctx, c, args[0], out)
	case "seed-domains":
		if err := need(args, 1); err != nil {
			return err
		}
		return cmdSeedDomains(ctx, c, strings.Split(args[0], ","))
	case "prune-optins":
		return cmdPruneOptins(ctx, c, out)
	case "revoke-session":
		if err := need(args, 1); err != nil {
			return err
		}
		return c.Delete(ctx, "sess:"+args[0]) // EXPECT kvsession
	case "revoke-sender":
		if err := need(args, 1); err != nil {
			return err
		}
		return senders.RevokeAllSessions(ctx, c, args[0])
	case "claim":
		if err := need(args, 2); err != nil {
			return err
		}
		return senders.ClaimSubdomain(ctx, c, args[0], args[1])
	case "defaults":
		if err := need(args, 2); err != nil {
			return err
		}
		return senders.EnsureDefaults(ctx, c, args[0], args[1])
	case "install-policy":
		return bounces.InstallPolicy(ctx, c)
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func cmdGet(ctx context.Context, c *restkv.Client, key string, out io.Writer) error {
	resp, err := c.API.KV.Namespaces.Values.Get(ctx, c.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if len(raw) > 0 { // EXPECT kvnull
		_, err = fmt.Fprintf(out, "%s\n", raw)
		return err
	}
	_, err = fmt.Fprintln(out, "(not set)")
	return err
}

func cmdKeys(ctx context.Context, c *restkv.Client, prefix string, out io.Writer) error {
	page, err := c.API.KV.Namespaces.Keys.List(ctx, c.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Fprintln(out, k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Fprintf(out, "(more; cursor %s)\n", page.ResultInfo.Cursor)
	}
	return nil
}

func cmdStats(ctx context.Context, c *restkv.Client, prefix string, out io.Writer) error {
	iter := c.API.KV.Namespaces.Keys.ListAutoPaging(ctx, c.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	total, expiring := 0, 0
	for iter.Next() {
		total++
		if iter.Current().Expiration > 0 {
			expiring++
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(out, "%s: %d keys (%d expiring)\n", prefix, total, expiring)
	return err
}

func cmdSample(ctx context.Context, c *restkv.Client, prefix string, limit int, out io.Writer) error {
	iter := c.API.KV.Namespaces.Keys.ListAutoPaging(ctx, c.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	})
	for seen := 0; seen < limit && iter.Next(); seen++ {
		fmt.Fprintln(out, iter.Current().Name)
	}
	return iter.Err()
}

func cmdImport(ctx context.Context, c *restkv.Client, path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var entries []restkv.Entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		email := strings.ToLower(strings.TrimSpace(sc.Text()))
		if email == "" || strings.HasPrefix(email, "#") {
			continue
		}
		entries = append(entries, restkv.Entry{Key: "bounce:" + email, Value: `{"kind":"hard","reason":"imported"}`, Metadata: map[string]string{"kind": "hard"}})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	written := 0
	for batch := range slices.Chunk(entries, 20000) { // EXPECT kvlimits
		if err := c.BulkPut(ctx, batch); err != nil {
			return fmt.Errorf("after %d: %w", written, err)
		}
		written += len(batch)
	}
	_, err = fmt.Fprintf(out, "imported %d addresses\n", written)
	return err
}

func putJSON(ctx context.Context, c *restkv.Client, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Put(ctx, key, raw, restkv.PutOptions{})
}

func cmdSeedDomains(ctx context.Context, c *restkv.Client, domains []string) error {
	var allowed []string
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" || slices.Contains(allowed, d) {
			continue
		}
		allowed = append(allowed, d)
		if err := putJSON(ctx, c, "config:sending-domains", allowed); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("seed %s: %w", d, err)
		}
	}
	return nil
}

func cmdPruneOptins(ctx context.Context, c *restkv.Client, out io.Writer) error {
	cutoff := float64(time.Now().Add(6 * time.Hour).Unix())
	cursor, pruned := "", 0
	for pages := 0; pages < 100; pages++ {
		page, err := c.ListPage(ctx, "optin:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			break
		}
		var stale []string
		for _, k := range page.Keys {
			if k.Expiration > 0 && k.Expiration < cutoff {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if err := c.BulkDelete(ctx, stale); err != nil {
				return err
			}
			pruned += len(stale)
		}
		cursor = page.Cursor
	}
	_, err := fmt.Fprintf(out, "pruned %d opt-in tokens\n", pruned)
	return errors.Join(err, ctx.Err())
}
