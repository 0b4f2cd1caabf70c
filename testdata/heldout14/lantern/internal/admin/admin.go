//go:build js && wasm

// Package admin implements the operator subcommands of cmd/lantern-admin;
// each one parses its own flags.
package admin

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// ErrUsage is returned for unknown commands or bad flags.
var ErrUsage = errors.New("usage: export|import|gc|reindex|count [flags]")

// Tool runs commands against one namespace.
type Tool struct {
	NS  *kv.Namespace
	Out io.Writer
	In  io.Reader
}

// Run executes args[0] with the remaining args as its flags.
func (t *Tool) Run(args []string) error {
	if len(args) == 0 {
		return ErrUsage
	}
	cmds := map[string]func([]string) error{
		"export":  t.export,
		"import":  t.importCSV,
		"gc":      t.gc,
		"reindex": t.reindex,
		"count":   t.count,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
	}
	return cmd(args[1:])
}

func (t *Tool) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(t.Out)
	return fs
}

func (t *Tool) export(args []string) error {
	fs := t.flags("export")
	prefix := fs.String("prefix", "", "only keys starting with `prefix`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	w := csv.NewWriter(t.Out)
	_ = w.Write([]string{"key", "expiration"})
	cursor := ""
	for {
		res, err := t.NS.List(&kv.ListOptions{Prefix: *prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := w.Write([]string{k.Name, strconv.Itoa(k.Expiration)}); err != nil {
				return err
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	w.Flush()
	return w.Error()
}

func (t *Tool) importCSV(args []string) error {
	fs := t.flags("import")
	ttl := fs.Duration("ttl", 0, "expire imported keys after `duration` (0 keeps them)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var opts *kv.PutOptions
	if *ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(max(*ttl, time.Minute).Seconds())}
	}
	r := csv.NewReader(t.In)
	r.FieldsPerRecord = 2
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("import: row %d: %w", n+1, err)
		}
		if err := t.NS.PutString(rec[0], rec[1], opts); err != nil {
			return fmt.Errorf("import: %s: %w", rec[0], err)
		}
		if err := t.NS.PutString("admin:import:last-key", rec[0], nil); err != nil { // EXPECT kvhotkey
			return err
		}
		n++
	}
	fmt.Fprintf(t.Out, "imported %d keys\n", n)
	return nil
}

func (t *Tool) gc(args []string) error {
	fs := t.flags("gc")
	prefix := fs.String("prefix", "tmp:", "delete keys starting with `prefix`")
	batch := fs.Int("batch", 500, "keys per list call")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *prefix == "" {
		return fmt.Errorf("%w: gc needs a non-empty -prefix", ErrUsage)
	}
	deleted := 0
	cursor := ""
	for {
		res, err := t.NS.List(&kv.ListOptions{Prefix: *prefix, Cursor: cursor, Limit: *batch}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if err := t.NS.Delete(k.Name); err != nil {
				return err
			}
			deleted++
		}
		cursor = res.Cursor
	}
	fmt.Fprintf(t.Out, "deleted %d keys\n", deleted)
	return nil
}

// manifestKey lists every event key; the public site reads it to build the
// archive pages.
const manifestKey = "manifest-events.txt"

func (t *Tool) reindex(args []string) error {
	fs := t.flags("reindex")
	prefix := fs.String("prefix", "t/", "walk keys under `prefix`")
	maxPages := fs.Int("max-pages", 50, "stop after `n` list calls")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var names []string
	opts := &kv.ListOptions{Prefix: *prefix, Limit: 1000}
	for page := 0; page < *maxPages; page++ {
		res, err := t.NS.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if strings.Contains(k.Name, "/event/") {
				names = append(names, k.Name)
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	if err := t.NS.PutString(manifestKey, strings.Join(names, "\n"), nil); err != nil {
		return err
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	if err := t.NS.PutString(path.Dir(manifestKey), stamp, nil); err != nil { // EXPECT kvlimits
		return err
	}
	fmt.Fprintf(t.Out, "indexed %d events\n", len(names))
	return nil
}

// countPageSize keeps the number of list calls (billed per call) down.
const countPageSize = 5000

func (t *Tool) count(args []string) error {
	fs := t.flags("count")
	prefix := fs.String("prefix", "", "count keys under `prefix`")
	maxPages := fs.Int("max-pages", 20, "stop after `n` list calls")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := &kv.ListOptions{Prefix: *prefix}
	opts.Limit = countPageSize // EXPECT kvlimits
	total := 0
	for page := 0; page < *maxPages; page++ {
		res, err := t.NS.List(opts)
		if err != nil {
			return err
		}
		total += len(res.Keys)
		if res.ListComplete {
			fmt.Fprintf(t.Out, "%d\n", total)
			return nil
		}
		opts.Cursor = res.Cursor
	}
	fmt.Fprintf(t.Out, ">= %d (stopped after %d pages)\n", total, *maxPages)
	return nil
}
