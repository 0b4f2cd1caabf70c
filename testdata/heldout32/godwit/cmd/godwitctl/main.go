// Command godwitctl is the operators' tool for the godwit KV namespaces:
// inspecting keys, bulk imports and clean-ups.
//
//	godwitctl [flags] <command> [args]
//
// Commands: keys, peek, count, dump, purge, import-suppressions.
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
	"os/signal"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

type ctl struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	out io.Writer
}

func main() {
	var (
		account = flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
		ns      = flag.String("namespace", os.Getenv("GODWIT_KV_NAMESPACE"), "KV namespace ID")
		timeout = flag.Duration("timeout", 10*time.Minute, "overall deadline")
	)
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: godwitctl [flags] keys|peek|count|dump|purge|import-suppressions [args]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	c := &ctl{api: api, rc: cloudflare.AccountIdentifier(*account), ns: *ns, out: os.Stdout}
	args := flag.Args()[1:]
	switch cmd := flag.Arg(0); cmd {
	case "keys":
		err = c.keys(ctx, args)
	case "peek":
		err = c.peek(ctx, args)
	case "count":
		err = c.count(ctx, args)
	case "dump":
		err = c.dump(ctx, args)
	case "purge":
		err = c.purge(ctx, args)
	case "import-suppressions":
		err = c.importSuppressions(ctx, args)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "godwitctl:", err)
	os.Exit(1)
}

func prefixArg(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return ""
}

// keys prints every key under a prefix.
func (c *ctl) keys(ctx context.Context, args []string) error {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: c.ns, Prefix: prefixArg(args), Limit: 1000}
	w := bufio.NewWriter(c.out)
	defer w.Flush()
	for {
		resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			fmt.Fprintln(w, k.Name)
		}
		if resp.Cursor == "" {
			return nil
		}
		params.Cursor = resp.Cursor
	}
}

// peek prints the first few keys under a prefix and the cursor to continue.
func (c *ctl) peek(ctx context.Context, args []string) error {
	resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: c.ns,
		Prefix:      prefixArg(args),
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range resp.Result {
		exp := "-"
		if k.Expiration > 0 {
			exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(c.out, "%s\t%s\t%v\n", k.Name, exp, k.Metadata)
	}
	if resp.Cursor != "" {
		fmt.Fprintf(c.out, "# more: -cursor %s\n", resp.Cursor)
	}
	return nil
}

// count counts the keys under a prefix, giving up after -max-pages pages.
func (c *ctl) count(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("count", flag.ContinueOnError)
	maxPages := fs.Int("max-pages", 100, "stop after this many pages")
	if err := fs.Parse(args); err != nil {
		return err
	}
	params := cloudflare.ListWorkersKVsParams{NamespaceID: c.ns, Prefix: prefixArg(fs.Args()), Limit: 1000}
	total := 0
	for page := 0; page < *maxPages; page++ {
		resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, params)
		if err != nil {
			return err
		}
		total += len(resp.Result)
		if resp.Cursor == "" {
			fmt.Fprintln(c.out, total)
			return nil
		}
		params.Cursor = resp.Cursor
	}
	fmt.Fprintf(c.out, "more than %d\n", total)
	return nil
}

// dump prints key and value of every key under a prefix as JSON lines.
func (c *ctl) dump(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dump", flag.ContinueOnError)
	maxPages := fs.Int("max-pages", 10, "stop after this many pages")
	if err := fs.Parse(args); err != nil {
		return err
	}
	params := cloudflare.ListWorkersKVsParams{NamespaceID: c.ns, Prefix: prefixArg(fs.Args()), Limit: 1000}
	enc := json.NewEncoder(c.out)
	for page := 0; page < *maxPages; page++ {
		resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, params)
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			v, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				return fmt.Errorf("%s: %w", k.Name, err)
			}
			_ = enc.Encode(map[string]any{"key": k.Name, "value": string(v), "metadata": k.Metadata})
		}
		if resp.Cursor == "" {
			return nil
		}
		params.Cursor = resp.Cursor
	}
	return nil
}

// purge deletes every key under a prefix.
func (c *ctl) purge(ctx context.Context, args []string) error {
	prefix := prefixArg(args)
	if len(prefix) < 3 {
		return errors.New("purge: refusing a prefix shorter than 3 characters")
	}
	params := cloudflare.ListWorkersKVsParams{NamespaceID: c.ns, Prefix: prefix, Limit: 1000}
	deleted := 0
	for {
		resp, err := c.api.ListWorkersKVKeys(ctx, c.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(resp.Result) == 0 {
			break
		}
		names := make([]string, len(resp.Result))
		for i, k := range resp.Result {
			names[i] = k.Name
		}
		if _, err := c.api.DeleteWorkersKVEntries(ctx, c.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: c.ns, Keys: names}); err != nil {
			return err
		}
		deleted += len(names)
		params.Cursor = resp.Cursor
	}
	fmt.Fprintf(c.out, "deleted %d keys\n", deleted)
	return nil
}

const importChunk = 25_000 // EXPECT kvlimits

// importSuppressions reads "account,email-hash,reason" lines and writes
// suppression records with the bulk API.
func (c *ctl) importSuppressions(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("import-suppressions: want a file")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	var pairs []*cloudflare.WorkersKVPair
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(strings.TrimSpace(sc.Text()), ",", 3)
		if len(parts) != 3 {
			continue
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:      "acct/" + parts[0] + "/suppress/" + parts[1],
			Value:    `{"reason":"` + parts[2] + `"}`,
			Metadata: map[string]string{"reason": parts[2]},
		})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for i := 0; i < len(pairs); i += importChunk {
		chunk := pairs[i:min(i+importChunk, len(pairs))]
		if _, err := c.api.WriteWorkersKVEntries(ctx, c.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: c.ns, KVs: chunk}); err != nil {
			return fmt.Errorf("chunk at %d: %w", i, err)
		}
		fmt.Fprintf(c.out, "wrote %d/%d\n", i+len(chunk), len(pairs))
	}
	return nil
}
