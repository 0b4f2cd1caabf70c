// Command otterctl is the operators' tool for the KV namespaces: backfill, export, purge, rekey, ttl-fix.
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/otter/internal/config"
	"example.com/otter/internal/kvport"
	"example.com/otter/internal/kvstore/cfkv"
	"example.com/otter/internal/kvstore/cfkv6"
	"example.com/otter/internal/kvstore/kvactor"
)

type clients struct {
	v0 *cfkv.Client
	v6 *cfkv6.Store
}

var connect = sync.OnceValues(func() (clients, error) {
	cfg, err := config.Load()
	if err != nil {
		return clients{}, err
	}
	v0, err := cfkv.New(cfkv.Config{APIToken: cfg.APIToken, AccountID: cfg.AccountID,
		Namespaces: cfg.Namespaces, DefaultNamespace: cfg.Namespaces["default"]})
	if err != nil {
		return clients{}, err
	}
	return clients{v0: v0, v6: cfkv6.New(cfg.AccountID, option.WithAPIToken(cfg.APIToken))}, nil
})

func parse(fs *flag.FlagSet, args []string) (clients, error) {
	_ = fs.Parse(args)
	return connect()
}

var commands = map[string]func(context.Context, []string) error{
	"backfill": backfill, "export": export, "purge": purge, "rekey": rekey, "ttl-fix": ttlFix,
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: otterctl backfill|export|purge|rekey|ttl-fix [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := commands[os.Args[1]](ctx, os.Args[2:]); err != nil {
		slog.Error("otterctl", "cmd", os.Args[1], "err", err)
		os.Exit(1)
	}
}

// records reads {"key":..., "value":...} lines until EOF or the first
// error, which it stores in *errp.
func records(r *bufio.Reader, errp *error) iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		dec := json.NewDecoder(r)
		for {
			var rec struct {
				Key   string          `json:"key"`
				Value json.RawMessage `json:"value"`
			}
			if err := dec.Decode(&rec); err != nil {
				if err != io.EOF {
					*errp = err
				}
				return
			}
			if !yield(rec.Key, rec.Value) {
				return
			}
		}
	}
}

const shardCount = 16384

func backfill(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backfill", flag.ExitOnError)
	bucket := fs.String("bucket", "invoices", "bucket to fill")
	in := fs.String("in", "-", "JSON lines input, - for stdin")
	shards := fs.String("shards-ns", "", "create the shard directory in this v6 namespace instead")
	c, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *shards != "" {
		pairs := make([]kvport.Pair, 0, shardCount)
		for i := range shardCount {
			pairs = append(pairs, kvport.Pair{Key: string(strconv.AppendInt(nil, int64(i), 10)), Value: []byte("{}")})
		}
		return c.v6.Namespace(*shards).Prefixed("shard/").PutBatch(ctx, pairs) // EXPECT kvlimits
	}
	src := os.Stdin
	if *in != "-" {
		if src, err = os.Open(*in); err != nil {
			return err
		}
		defer src.Close()
	}
	var readErr error
	n, err := c.v0.Backfill(ctx, *bucket, records(bufio.NewReaderSize(src, 1<<20), &readErr))
	fmt.Printf("backfilled %d keys\n", n)
	return errors.Join(err, readErr)
}

func export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	bucket := fs.String("bucket", "invoices", "bucket to export")
	prefix := fs.String("prefix", "", "only keys with this prefix")
	out := fs.String("out", "export.jsonl.gz", "output file")
	c, err := parse(fs, args)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	// Do not leave a truncated export behind when interrupted.
	stop := context.AfterFunc(ctx, func() { _ = os.Remove(*out) })
	defer stop()

	pr, pw := io.Pipe()
	go func() {
		zw := gzip.NewWriter(pw)
		_, err := c.v0.ExportAll(ctx, *bucket, *prefix, zw)
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	n, err := io.Copy(f, pr)
	fmt.Printf("wrote %d compressed bytes to %s\n", n, *out)
	return err
}

func purge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ExitOnError)
	bucket := fs.String("bucket", "", "bucket to purge")
	prefix := fs.String("prefix", "", "key prefix to delete (required)")
	maxPages := fs.Int("max-pages", 20, "stop after this many pages of keys")
	c, err := parse(fs, args)
	if err == nil && *prefix == "" {
		err = errors.New("purge: -prefix is required")
	}
	if err != nil {
		return err
	}
	n, err := c.v0.PurgePrefix(ctx, *bucket, *prefix, *maxPages)
	fmt.Printf("deleted %d keys\n", n)
	return err
}

// listKeys returns up to maxKeys keys of h that keep accepts.
func listKeys(ctx context.Context, h *cfkv6.Handle, maxKeys int, keep func(kvport.KeyInfo) bool) ([]string, error) {
	var names []string
	for cursor := ""; len(names) < maxKeys; {
		page, err := h.List(ctx, kvport.ListQuery{Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			if keep(k) {
				names = append(names, k.Name)
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return names, nil
}

func audit(ctx context.Context, c clients, ns, cmd string, args []string) error {
	a := kvactor.New(c.v6.Namespace(ns).Prefixed("ctl:"), 4)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go a.Run(runCtx)
	_, err := a.Mutate(ctx, "audit", nil, func(old []byte, found bool) ([]byte, error) {
		var log []map[string]any
		if found {
			_ = json.Unmarshal(old, &log)
		}
		log = append(log, map[string]any{"cmd": cmd, "args": args, "at": time.Now().UTC()})
		return json.Marshal(log[max(0, len(log)-200):])
	})
	return err
}

func rekey(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rekey", flag.ExitOnError)
	ns := fs.String("ns", "", "v6 namespace id")
	from := fs.String("from", "", "old key prefix")
	to := fs.String("to", "", "new key prefix")
	maxKeys := fs.Int("max-keys", 50_000, "stop after this many keys")
	c, err := parse(fs, args)
	if err != nil {
		return err
	}
	space := c.v6.Namespace(*ns)
	src, dst := space.Prefixed(*from), space.Prefixed(*to)
	names, err := listKeys(ctx, src, *maxKeys, func(kvport.KeyInfo) bool { return true })
	if err != nil {
		return err
	}
	var pairs []kvport.Pair
	for chunk := range slices.Chunk(names, 100) {
		vals, err := src.GetMany(ctx, chunk)
		if err != nil {
			return err
		}
		for _, k := range chunk {
			if v, ok := vals[k]; ok {
				pairs = append(pairs, kvport.Pair{Key: k, Value: v})
			}
		}
	}
	if err := dst.PutMany(ctx, pairs); err != nil {
		return err
	}
	// Record the current key layout at the namespace root.
	if err := space.Prefixed("").Put(ctx, ".", []byte(*to), nil); err != nil { // EXPECT kvlimits
		return err
	}
	fmt.Printf("copied %d keys from %q to %q\n", len(pairs), *from, *to)
	return audit(ctx, c, *ns, "rekey", args)
}

func ttlFix(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ttl-fix", flag.ExitOnError)
	ns := fs.String("ns", "", "v6 namespace id")
	prefix := fs.String("prefix", "", "key prefix")
	ttl := fs.Duration("ttl", 30*time.Second, "lifetime to give markers that never expire") // DEBATABLE kvttl
	maxKeys := fs.Int("max-keys", 10_000, "stop after this many keys")
	c, err := parse(fs, args)
	if err != nil {
		return err
	}
	h := c.v6.Namespace(*ns).Prefixed(*prefix)
	names, err := listKeys(ctx, h, *maxKeys, func(k kvport.KeyInfo) bool { return k.Expiration == 0 })
	if err != nil {
		return err
	}
	pairs := make([]kvport.Pair, len(names))
	for i, k := range names {
		pairs[i] = kvport.Pair{Key: k, Value: []byte("1"), Opts: &kvport.PutOpts{TTL: *ttl}}
	}
	if err := h.PutMany(ctx, pairs); err != nil {
		return err
	}
	fmt.Printf("set a %s lifetime on %d markers\n", *ttl, len(pairs))
	return audit(ctx, c, *ns, "ttl-fix", args)
}
