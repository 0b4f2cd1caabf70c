// Command kvadmin is the back-office tool for Saffron's KV namespaces. It
// talks to the Cloudflare REST API with an account token.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"example.com/saffron/internal/cfapi"
)

const usage = `usage: kvadmin <command> [flags]
commands: dump, import, migrate, fetch, peek, tag, seed
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := &cfapi.Client{Account: os.Getenv("CF_ACCOUNT_ID"), Token: os.Getenv("CF_API_TOKEN")}
	if c.Account == "" || c.Token == "" {
		fmt.Fprintln(os.Stderr, "kvadmin: CF_ACCOUNT_ID and CF_API_TOKEN must be set")
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	run, ok := map[string]func(context.Context, *cfapi.Client, []string) error{
		"dump": dump, "import": importPairs, "migrate": migrate,
		"fetch": fetch, "peek": peek, "tag": tag, "seed": seed,
	}[cmd]
	if !ok {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	err := run(ctx, c, args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kvadmin "+cmd+":", err)
		os.Exit(1)
	}
}

func flags(name string) (*flag.FlagSet, *string, *string) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	ns := fs.String("ns", "", "namespace ID")
	prefix := fs.String("prefix", "", "key prefix")
	return fs, ns, prefix
}

func need(fs *flag.FlagSet, values ...*string) error {
	for _, v := range values {
		if *v == "" {
			fs.Usage()
			return errors.New("missing required flag")
		}
	}
	return nil
}

func chunk[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

func dump(ctx context.Context, c *cfapi.Client, args []string) error {
	fs, ns, prefix := flags("dump")
	_ = fs.Parse(args)
	if err := need(fs, ns); err != nil {
		return err
	}
	cursor := ""
	for {
		page, err := c.ListKeys(ctx, *ns, *prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			fmt.Println(k.Name)
		}
		if page.Cursor == "" {
			return nil
		}
		cursor = page.Cursor
	}
}

func walk(ctx context.Context, c *cfapi.Client, ns, prefix string, maxPages int, fn func([]cfapi.Key) error) error {
	cursor := ""
	for i := 0; i < maxPages; i++ {
		page, err := c.ListKeys(ctx, ns, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		if err := fn(page.Keys); err != nil {
			return err
		}
		if page.Cursor == "" {
			return nil
		}
		cursor = page.Cursor
	}
	return fmt.Errorf("stopped after %d pages; narrow the prefix", maxPages)
}

func names(keys []cfapi.Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Name
	}
	return out
}

func importPairs(ctx context.Context, c *cfapi.Client, args []string) error {
	fs, ns, _ := flags("import")
	file := fs.String("file", "", "JSON lines file")
	_ = fs.Parse(args)
	if err := need(fs, ns, file); err != nil {
		return err
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	var pairs []cfapi.Pair
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 32<<20)
	for sc.Scan() {
		var p cfapi.Pair
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return fmt.Errorf("line %d: %w", len(pairs)+1, err)
		}
		pairs = append(pairs, p)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for i, batch := range chunk(pairs, 10000) {
		if err := c.BulkWrite(ctx, *ns, batch); err != nil {
			return fmt.Errorf("batch %d: %w", i, err)
		}
	}
	fmt.Fprintf(os.Stderr, "imported %d pairs\n", len(pairs))
	return nil
}

const migrateBatch = 25000

func migrate(ctx context.Context, c *cfapi.Client, args []string) error {
	fs, from, prefix := flags("migrate")
	to := fs.String("to", "", "destination namespace ID")
	maxPages := fs.Int("max-pages", 100, "stop after this many pages")
	_ = fs.Parse(args)
	if err := need(fs, from, to); err != nil {
		return err
	}
	var pending []cfapi.Pair
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := c.BulkWrite(ctx, *to, pending); err != nil { // EXPECT kvlimits
			return err
		}
		pending = pending[:0]
		return nil
	}
	err := walk(ctx, c, *from, *prefix, *maxPages, func(keys []cfapi.Key) error {
		for _, batch := range chunk(names(keys), 100) {
			values, err := c.BulkGet(ctx, *from, batch)
			if err != nil {
				return err
			}
			for _, k := range batch {
				if v := values[k]; v != nil {
					pending = append(pending, cfapi.Pair{Key: k, Value: *v})
				}
			}
		}
		if len(pending) >= migrateBatch {
			return flush()
		}
		return nil
	})
	return errors.Join(err, flush())
}

const fetchChunk = 250

func fetch(ctx context.Context, c *cfapi.Client, args []string) error {
	fs, ns, _ := flags("fetch")
	_ = fs.Parse(args)
	if err := need(fs, ns); err != nil {
		return err
	}
	for _, batch := range chunk(fs.Args(), fetchChunk) {
		values, err := c.BulkGet(ctx, *ns, batch) // EXPECT kvlimits
		if err != nil {
			return err
		}
		for _, k := range batch {
			if v := values[k]; v != nil {
				fmt.Printf("%s\t%s\n", k, *v)
			} else {
				fmt.Printf("%s\t(missing)\n", k)
			}
		}
	}
	return nil
}

func peek(ctx context.Context, c *cfapi.Client, args []string) error {
	fs, ns, prefix := flags("peek")
	_ = fs.Parse(args)
	if err := need(fs, ns); err != nil {
		return err
	}
	page, err := c.ListKeys(ctx, *ns, *prefix, "",
		5, // EXPECT kvlimits
	)
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		fmt.Println(k.Name)
	}
	return nil
}
