// Command flagctl is the operator tool for the flag namespaces. It is the
// first tool moved to cloudflare-go v4.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"github.com/wheatear/flagsvc/internal/kvkeys"
)

const (
	importChunk = 10000
	drainWindow = 30 * time.Second
	countBudget = 50000
)

type tool struct {
	cf      *cloudflare.Client
	account string
	ns      string
	out     io.Writer
}

type command func(ctx context.Context, t *tool, args []string) error

var commands = map[string]command{
	"export": cmdExport,
	"import": cmdImport,
	"get":    cmdGet,
	"set":    cmdSet,
	"pin":    cmdPin,
	"drain":  cmdDrain,
	"keys":   cmdKeys,
	"count":  cmdCount,
}

type line struct {
	Key           string          `json:"key"`
	Value         json.RawMessage `json:"value,omitempty"`
	Metadata      any             `json:"metadata,omitempty"`
	ExpirationTTL int             `json:"expiration_ttl,omitempty"`
}

// cmdExport writes every key under a prefix, with metadata, as NDJSON.
func cmdExport(ctx context.Context, t *tool, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	prefix := fs.String("prefix", kvkeys.PrefixFlag, "key prefix")
	fs.Parse(args)
	enc := json.NewEncoder(t.out)
	iter := t.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, t.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(t.account),
		Prefix:    cloudflare.F(*prefix),
	})
	for iter.Next() {
		k := iter.Current()
		if err := enc.Encode(line{Key: k.Name, Metadata: k.Metadata}); err != nil {
			return err
		}
	}
	return iter.Err()
}

// cmdCount counts keys under a prefix, stopping at countBudget.
func cmdCount(ctx context.Context, t *tool, args []string) error {
	fs := flag.NewFlagSet("count", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	fs.Parse(args)
	iter := t.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, t.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(t.account),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(1000.0),
	})
	n := 0
	for iter.Next() {
		if n++; n >= countBudget {
			fmt.Fprintf(t.out, "%d+ keys (stopped at budget)\n", n)
			return nil
		}
	}
	fmt.Fprintf(t.out, "%d keys\n", n)
	return iter.Err()
}

// cmdImport reads NDJSON from stdin and writes it in bulk.
func cmdImport(ctx context.Context, t *tool, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	ttl := fs.Int("ttl", 0, "expiration TTL in seconds for lines without one")
	bump := fs.Bool("bump", true, "bump the environment version after each flag")
	fs.Parse(args)

	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 0, 1<<20), 26<<20)
	var batch []kv.NamespaceKeyBulkUpdateParamsBody
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := t.cf.KV.Namespaces.Keys.BulkUpdate(ctx, t.ns, kv.NamespaceKeyBulkUpdateParams{
			AccountID: cloudflare.F(t.account),
			Body:      batch,
		})
		batch = batch[:0]
		return err
	}
	n := 0
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return fmt.Errorf("line %d: %w", n+1, err)
		}
		body := kv.NamespaceKeyBulkUpdateParamsBody{
			Key:   cloudflare.F(l.Key),
			Value: cloudflare.F(string(l.Value)),
		}
		if l.Metadata != nil {
			body.Metadata = cloudflare.F(l.Metadata)
		}
		switch {
		case l.ExpirationTTL > 0:
			body.ExpirationTTL = cloudflare.F(float64(l.ExpirationTTL))
		case *ttl > 0:
			body.ExpirationTTL = cloudflare.F(float64(*ttl))
		}
		batch = append(batch, body)
		n++
		if len(batch) == importChunk {
			if err := flush(); err != nil {
				return err
			}
		}
		if *bump && strings.HasPrefix(l.Key, kvkeys.PrefixFlag) {
			_, err := t.cf.KV.Namespaces.Values.Update(ctx, t.ns, kvkeys.KeyEnvVersion, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
				AccountID: cloudflare.F(t.account),
				Value:     cloudflare.F(time.Now().UTC().Format(time.RFC3339Nano)),
			})
			if err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Fprintf(t.out, "imported %d keys\n", n)
	return nil
}

func cmdGet(ctx context.Context, t *tool, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: flagctl get KEY")
	}
	res, err := t.cf.KV.Namespaces.Values.Get(ctx, t.ns, args[0], kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(t.account),
	})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if len(body) == 0 { // EXPECT kvnull
		fmt.Fprintln(t.out, "(no such key)")
		return nil
	}
	_, err = t.out.Write(append(body, '\n'))
	return err
}

func cmdSet(ctx context.Context, t *tool, args []string) error {
	fs := flag.NewFlagSet("set", flag.ExitOnError)
	ttl := fs.Duration("ttl", 0, "expire after this long (0 = never)")
	fs.Parse(args)
	if fs.NArg() != 2 {
		return errors.New("usage: flagctl set [-ttl D] KEY VALUE")
	}
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(t.account),
		Value:     cloudflare.F(fs.Arg(1)),
	}
	if *ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := t.cf.KV.Namespaces.Values.Update(ctx, t.ns, fs.Arg(0), p)
	return err
}

// cmdPin holds a flag's current config for a while by writing a pinned copy
// that the evaluators prefer until it expires.
func cmdPin(ctx context.Context, t *tool, args []string) error {
	fs := flag.NewFlagSet("pin", flag.ExitOnError)
	env := fs.String("env", "production", "environment")
	d := fs.Duration("for", 2*time.Hour, "how long to pin")
	fs.Parse(args)
	if fs.NArg() != 1 {
		return errors.New("usage: flagctl pin [-env E] [-for D] FLAG")
	}
	key := kvkeys.PrefixFlag + *env + ":" + fs.Arg(0)
	res, err := t.cf.KV.Namespaces.Values.Get(ctx, t.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(t.account)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == 404 {
			return fmt.Errorf("no flag %s in %s", fs.Arg(0), *env)
		}
		return err
	}
	cfg, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	_, err = t.cf.KV.Namespaces.Values.Update(ctx, t.ns, key+":pinned", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(t.account),
		Value:      cloudflare.F(string(cfg)),
		Expiration: cloudflare.F(float64(time.Now().Add(*d).UnixMilli())), // EXPECT kvttl
	})
	return err
}

// cmdDrain tells the evaluators to stop serving an environment's snapshot
// for a short window while it is republished.
func cmdDrain(ctx context.Context, t *tool, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: flagctl drain ENV")
	}
	_, err := t.cf.KV.Namespaces.Values.Update(ctx, t.ns, kvkeys.PrefixEnvSnapshot+args[0]+":drain", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(t.account),
		Value:      cloudflare.F("draining"),
		Expiration: cloudflare.F(float64(time.Now().Add(drainWindow).Unix())), // EXPECT kvttl
	})
	return err
}

// cmdKeys prints one page of keys and the cursor for the next.
func cmdKeys(ctx context.Context, t *tool, args []string) error {
	fs := flag.NewFlagSet("keys", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	cursor := fs.String("cursor", "", "cursor from a previous page")
	fs.Parse(args)
	p := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(t.account),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	if *cursor != "" {
		p.Cursor = cloudflare.F(*cursor)
	}
	page, err := t.cf.KV.Namespaces.Keys.List(ctx, t.ns, p)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(t.out, n)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Fprintf(t.out, "-- next: flagctl keys -prefix %q -cursor %s\n", *prefix, page.ResultInfo.Cursor)
	}
	return nil
}

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: flagctl COMMAND [args]")
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		log.Fatalf("unknown command %q", os.Args[1])
	}
	t := &tool{
		cf:      cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))),
		account: os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		ns:      os.Getenv("FLAGS_KV_NAMESPACE"),
		out:     os.Stdout,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := cmd(ctx, t, os.Args[2:]); err != nil {
		log.Fatal(err)
	}
}
