// Command wigeonctl is the operators' tool for the portal's KV namespaces.
//
//	wigeonctl get         -ns ID -key K
//	wigeonctl dump        -ns ID -prefix P > dump.jsonl
//	wigeonctl import      -ns ID < dump.jsonl
//	wigeonctl rekey       -ns ID -from P -to Q
//	wigeonctl revoke-session -ns ID -tenant T -session S
//	wigeonctl claim-domain -ns ID -env E -tenant T -domain D
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"wigeon/internal/kv3"
	"wigeon/internal/kvkeys"
	"wigeon/internal/kvstore"
)

// importBatch is the number of pairs sent per bulk request by import.
const importBatch = 25000

type env struct {
	cf      *cloudflare.Client
	account string
	ns      string
	store   *kv3.Store
	out     io.Writer
}

type command struct {
	name  string
	help  string
	flags func(fs *flag.FlagSet) func(ctx context.Context, e *env) error
}

var commands = []command{
	{"get", "print one value", getCmd},
	{"dump", "write every pair under a prefix as JSON lines", dumpCmd},
	{"import", "write JSON lines from stdin", importCmd},
	{"rekey", "copy keys from one prefix to another", rekeyCmd},
	{"revoke-session", "end a portal session", revokeCmd},
	{"claim-domain", "assign a custom portal domain to a tenant", claimCmd},
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == os.Args[1] })
	if i < 0 {
		usage()
		os.Exit(2)
	}
	cmd := commands[i]
	fs := flag.NewFlagSet(cmd.name, flag.ExitOnError)
	account := fs.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
	ns := fs.String("ns", "", "namespace ID")
	run := cmd.flags(fs)
	_ = fs.Parse(os.Args[2:])
	if *ns == "" || *account == "" {
		fmt.Fprintln(os.Stderr, "wigeonctl: -ns and -account are required")
		os.Exit(2)
	}
	cf := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	e := &env{cf: cf, account: *account, ns: *ns, store: kv3.New(cf, *account, *ns, nil), out: os.Stdout}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, e); err != nil {
		fmt.Fprintln(os.Stderr, "wigeonctl:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: wigeonctl <command> [flags]")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-15s %s\n", c.name, c.help)
	}
}

func getCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	key := fs.String("key", "", "key")
	return func(ctx context.Context, e *env) error {
		res, err := e.cf.KV.Namespaces.Values.Get(ctx, e.ns, *key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(e.account)})
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
			return fmt.Errorf("%s: no such key", *key)
		}
		if exp := res.Header.Get("Expiration"); exp != "" {
			fmt.Fprintf(os.Stderr, "expires at %s\n", exp)
		}
		_, err = io.Copy(e.out, res.Body)
		return err
	}
}

type line struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	TTL   int    `json:"ttl,omitempty"`
}

func dumpCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	prefix := fs.String("prefix", "", "key prefix")
	return func(ctx context.Context, e *env) error {
		enc := json.NewEncoder(e.out)
		it := e.store.Iter(ctx, *prefix) // EXPECT kvlist
		for it.Next() {
			k := it.Current()
			val, err := e.store.Get(ctx, k.Name) // EXPECT kvlist
			if kvstore.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			ttl := 0
			if k.Expiration > 0 {
				ttl = max(int(time.Until(time.Unix(int64(k.Expiration), 0)).Seconds()), 60)
			}
			if err := enc.Encode(line{Key: k.Name, Value: string(val), TTL: ttl}); err != nil {
				return err
			}
		}
		return it.Err()
	}
}

func importCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	checkpoint := fs.String("checkpoint", "wigeonctl/import/last", "key recording import progress")
	return func(ctx context.Context, e *env) error {
		var entries []kv3.Entry
		sc := bufio.NewScanner(os.Stdin)
		sc.Buffer(make([]byte, 1<<20), 32<<20)
		for sc.Scan() {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				return err
			}
			entries = append(entries, kv3.Entry{Key: l.Key, Value: []byte(l.Value), TTL: l.TTL})
		}
		if err := sc.Err(); err != nil {
			return err
		}
		done := 0
		for batch := range slices.Chunk(entries, importBatch) {
			if err := e.store.Bulk(ctx, batch); err != nil { // EXPECT kvlimits
				return fmt.Errorf("after %d pairs: %w", done, err)
			}
			done += len(batch)
			last := batch[len(batch)-1].Key
			if err := e.store.Put(ctx, *checkpoint, []byte(last), "{}"); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		fmt.Fprintf(os.Stderr, "imported %d pairs\n", done)
		return nil
	}
}

func rekeyCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	from := fs.String("from", "", "source prefix")
	to := fs.String("to", "", "destination prefix")
	maxPages := fs.Int("max-pages", 50, "page budget")
	return func(ctx context.Context, e *env) error {
		if *from == "" || *to == "" {
			return errors.New("-from and -to are required")
		}
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(e.account),
			Prefix:    cloudflare.F(*from),
			Limit:     cloudflare.F(1000.0),
		}
		moved := 0
		for page := 0; page < *maxPages; page++ {
			res, err := e.cf.KV.Namespaces.Keys.List(ctx, e.ns, params) // EXPECT kvlist
			if err != nil {
				return err
			}
			entries := make([]kv3.Entry, 0, len(res.Result))
			for _, k := range res.Result {
				val, err := e.store.Get(ctx, k.Name) // EXPECT kvlist
				if err != nil {
					return err
				}
				entries = append(entries, kv3.Entry{Key: *to + strings.TrimPrefix(k.Name, *from), Value: val})
			}
			if err := e.store.Bulk(ctx, entries); err != nil {
				return err
			}
			moved += len(entries)
			if res.ResultInfo.Cursor == "" {
				break
			}
			params = kv.NamespaceKeyListParams{
				AccountID: cloudflare.F(e.account),
				Cursor:    cloudflare.F(res.ResultInfo.Cursor),
				Limit:     cloudflare.F(1000.0),
			}
		}
		fmt.Fprintf(os.Stderr, "copied %d keys\n", moved)
		return nil
	}
}

func revokeCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	tenantID := fs.String("tenant", "", "tenant ID")
	session := fs.String("session", "", "session ID")
	return func(ctx context.Context, e *env) error {
		key := kvkeys.Key(*tenantID, "sess", *session)
		return e.store.Delete(ctx, key) // EXPECT kvsession
	}
}

type domainClaim struct {
	TenantID  string    `json:"tenant_id"`
	ClaimedAt time.Time `json:"claimed_at"`
	By        string    `json:"by"`
}

func claimCmd(fs *flag.FlagSet) func(context.Context, *env) error {
	envName := fs.String("env", "prod", "key environment")
	tenantID := fs.String("tenant", "", "tenant ID")
	domain := fs.String("domain", "", "custom portal domain")
	return func(ctx context.Context, e *env) error {
		key := kvkeys.Key(*envName, "domains", strings.ToLower(*domain))
		raw, err := e.store.Get(ctx, key)
		if err == nil {
			var cur domainClaim
			_ = json.Unmarshal(raw, &cur)
			return fmt.Errorf("%s is already assigned to tenant %s", *domain, cur.TenantID)
		}
		if !kvstore.IsNotFound(err) {
			return err
		}
		val, _ := json.Marshal(domainClaim{TenantID: *tenantID, ClaimedAt: time.Now().UTC(), By: os.Getenv("USER")})
		return e.store.Put(ctx, key, val, "{}") // EXPECT kvrace
	}
}
