// Command tundractl is the operators' tool for Tundra's KV namespaces.
//
//	tundractl export  -namespace ID [-prefix P]      > keys.jsonl
//	tundractl import  -namespace ID                  < pairs.jsonl
//	tundractl gc      -namespace ID [-prefix P]
//	tundractl reindex -namespace ID [-pages N]
//	tundractl mint    -namespace ID -campaign C -pct N -days D
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/tundra/internal/coupons"
	"example.com/tundra/internal/storage"
	"example.com/tundra/internal/storage/cfkv"
)

type env struct {
	client  *cloudflare.Client
	account string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tundractl export|import|gc|reindex|mint [flags]")
		os.Exit(2)
	}
	e := env{
		client:  cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN"))),
		account: os.Getenv("CF_ACCOUNT_ID"),
	}
	cmds := map[string]func(context.Context, env, []string) error{
		"export": export, "import": importPairs, "gc": gc, "reindex": reindex, "mint": mint,
	}
	run, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "tundractl: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := run(context.Background(), e, os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "tundractl:", err)
		os.Exit(1)
	}
}

// export writes every key (name, expiration, metadata) as JSON lines.
func export(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	ns := fs.String("namespace", "", "namespace ID")
	prefix := fs.String("prefix", "", "only keys with this prefix")
	fs.Parse(args)

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.account), Prefix: cloudflare.F(*prefix), Limit: cloudflare.F(1000.0)}
	for {
		page, err := e.client.KV.Namespaces.Keys.List(ctx, *ns, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			if err := enc.Encode(map[string]any{"key": k.Name, "expiration": k.Expiration, "metadata": k.Metadata}); err != nil {
				return err
			}
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}

// importPairs reads {"key","value","ttl"} lines and writes them in bulk.
func importPairs(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	ns := fs.String("namespace", "", "namespace ID")
	fs.Parse(args)

	var st storage.Store = cfkv.NewBuffered(cfkv.New(e.client, e.account, *ns))
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	n := 0
	for sc.Scan() {
		var p struct {
			Key   string `json:"key"`
			Value string `json:"value"`
			TTL   int64  `json:"ttl"`
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return fmt.Errorf("line %d: %w", n+1, err)
		}
		if err := st.Put(ctx, p.Key, []byte(p.Value), storage.WriteOpts{TTL: time.Duration(p.TTL) * time.Second}); err != nil {
			return err
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if c, ok := st.(storage.Closer); ok {
		if err := c.Close(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "imported %d pairs\n", n)
	return nil
}

// gc deletes keys whose metadata marks them as tombstones.
func gc(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("gc", flag.ExitOnError)
	ns := fs.String("namespace", "", "namespace ID")
	prefix := fs.String("prefix", "", "only keys with this prefix")
	fs.Parse(args)

	iter := e.client.KV.Namespaces.Keys.ListAutoPaging(ctx, *ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(e.account),
		Prefix:    cloudflare.F(*prefix),
	})
	var dead []string
	for iter.Next() {
		if m, ok := iter.Current().Metadata.(map[string]any); ok && m["tombstone"] == true {
			dead = append(dead, iter.Current().Name)
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	for start := 0; start < len(dead); start += 1000 {
		batch := dead[start:min(start+1000, len(dead))]
		if _, err := e.client.KV.Namespaces.BulkDelete(ctx, *ns, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(e.account),
			Body:      batch,
		}); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "deleted %d tombstones\n", len(dead))
	return nil
}

// reindex refreshes the directory metadata of partner profiles, page by
// page, checkpointing the cursor so an interrupted run can resume.
func reindex(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	ns := fs.String("namespace", "", "namespace ID")
	pages := fs.Int("pages", 200, "stop after this many pages")
	resume := fs.String("cursor", "", "resume from this cursor")
	fs.Parse(args)

	st := cfkv.New(e.client, e.account, *ns)
	cursor := *resume
	for p := 0; p < *pages; p++ {
		page, err := st.List(ctx, storage.ListQuery{Prefix: "partner:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			fmt.Println(k.Name)
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
		_, err = e.client.KV.Namespaces.Values.Update(ctx, *ns, "reindex:progress", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(e.account),
			Value:     cloudflare.F(cursor),
		})
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("stopped after %d pages; resume with -cursor %s", *pages, cursor)
}

// mint creates a coupon campaign.
func mint(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("mint", flag.ExitOnError)
	ns := fs.String("namespace", "", "namespace ID")
	campaign := fs.String("campaign", "", "campaign name")
	pct := fs.Int("pct", 10, "discount percent")
	days := fs.Int("days", 30, "validity in days")
	fs.Parse(args)

	m := &coupons.Minter{Client: e.client, AccountID: e.account, NamespaceID: *ns}
	codes, err := m.MintCampaign(ctx, *campaign, *pct, time.Now().AddDate(0, 0, *days))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "minted %d codes for %s\n", len(codes), *campaign)
	return nil
}
