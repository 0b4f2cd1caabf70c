// Command kinglet-admin is the operator tool for the kinglet KV namespaces.
//
//	kinglet-admin purge    -ns ID -prefix P [-dry-run]
//	kinglet-admin export   -ns ID -prefix P > dump.jsonl
//	kinglet-admin reindex  -ns ID [-max-pages N]
//	kinglet-admin backfill -ns ID -file quotas.csv [-ttl 720h]
//	kinglet-admin stats    -ns ID
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"kinglet/internal/kvstore"
)

type app struct {
	client    *cloudflare.Client
	store     *kvstore.Store
	accountID string
	out       io.Writer
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kinglet-admin purge|export|reindex|backfill|stats [flags]")
		os.Exit(2)
	}
	accountID := os.Getenv("CF_ACCOUNT_ID")
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	a := app{client: client, store: kvstore.New(client, accountID), accountID: accountID, out: os.Stdout}

	ctx := context.Background()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "purge":
		err = a.purge(ctx, args)
	case "export":
		err = a.export(ctx, args)
	case "reindex":
		err = a.reindex(ctx, args)
	case "backfill":
		err = a.backfill(ctx, args)
	case "stats":
		err = a.stats(ctx, args)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kinglet-admin:", err)
		os.Exit(1)
	}
}

func (a app) purge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ExitOnError)
	ns := fs.String("ns", "", "namespace ID")
	prefix := fs.String("prefix", "", "key prefix to delete")
	dry := fs.Bool("dry-run", false, "only print what would be deleted")
	fs.Parse(args)
	if *ns == "" || *prefix == "" {
		return fmt.Errorf("purge needs -ns and -prefix")
	}

	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(1000.0),
	}
	var names []string
	for {
		page, err := a.client.KV.Namespaces.Keys.List(ctx, *ns, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	fmt.Fprintf(a.out, "%d keys under %q\n", len(names), *prefix)
	if *dry {
		return nil
	}
	for batch := range slices.Chunk(names, 10_000) {
		res, err := a.client.KV.Namespaces.BulkDelete(ctx, *ns, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(a.accountID),
			Body:      batch,
		})
		if err != nil {
			return err
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			fmt.Fprintf(a.out, "%d keys failed, first %s\n", n, res.UnsuccessfulKeys[0])
		}
	}
	return nil
}

func (a app) export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	ns := fs.String("ns", "", "namespace ID")
	prefix := fs.String("prefix", "", "key prefix")
	fs.Parse(args)

	enc := json.NewEncoder(a.out)
	getParams := kv.NamespaceValueGetParams{AccountID: cloudflare.F(a.accountID)}
	iter := a.client.KV.Namespaces.Keys.ListAutoPaging(ctx, *ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F(*prefix),
	})
	for iter.Next() {
		k := iter.Current()
		res, err := a.client.KV.Namespaces.Values.Get(ctx, *ns, k.Name, getParams) // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("get %s: %w", k.Name, err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		row := struct {
			Key        string `json:"key"`
			Value      string `json:"value"`
			Expiration int64  `json:"expiration,omitempty"`
			Metadata   any    `json:"metadata,omitempty"`
		}{k.Name, string(body), int64(k.Expiration), k.Metadata}
		if err := enc.Encode(row); err != nil {
			return err
		}
	}
	return iter.Err()
}

// reindex rebuilds the by-customer index from the issued invoices.
func (a app) reindex(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	ns := fs.String("ns", "", "invoices namespace ID")
	maxPages := fs.Int("max-pages", 50, "stop after this many list pages")
	fs.Parse(args)

	var names []string
	cursor := ""
	for page := 0; page < *maxPages; page++ {
		keys, next, err := a.store.ListPage(ctx, *ns, "invoice:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	values, err := a.store.BulkGet(ctx, *ns, names)
	if err != nil {
		return err
	}
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, name := range slices.Sorted(maps.Keys(values)) {
		var inv struct {
			Number     string `json:"number"`
			CustomerID string `json:"customer_id"`
			TotalCents int64  `json:"total_cents"`
			Currency   string `json:"currency"`
		}
		if err := json.Unmarshal([]byte(values[name]), &inv); err != nil {
			fmt.Fprintf(a.out, "skip %s: %v\n", name, err)
			continue
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:      cloudflare.F(fmt.Sprintf("by-customer:%s:%s", inv.CustomerID, inv.Number)),
			Value:    cloudflare.F(""),
			Metadata: cloudflare.F[any](map[string]any{"total": inv.TotalCents, "currency": inv.Currency}),
		})
	}
	for batch := range slices.Chunk(body, 20_000) { // EXPECT kvlimits
		res, err := a.client.KV.Namespaces.BulkUpdate(ctx, *ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(a.accountID),
			Body:      batch,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.out, "indexed %.0f keys\n", res.SuccessfulKeyCount)
	}
	return nil
}

// backfill loads monthly quota snapshots exported from the billing DB.
func (a app) backfill(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backfill", flag.ExitOnError)
	ns := fs.String("ns", "", "namespace ID")
	file := fs.String("file", "", "CSV of customer,month,used")
	ttl := fs.Duration("ttl", 30*24*time.Hour, "lifetime of the snapshots")
	fs.Parse(args)

	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()

	lock := kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(a.accountID),
		Value:      cloudflare.F(strconv.Itoa(os.Getpid())),
		Expiration: cloudflare.F(float64(time.Now().Unix() + 30)), // EXPECT kvttl
	}
	if _, err := a.client.KV.Namespaces.Values.Update(ctx, *ns, "backfill:lock", lock); err != nil {
		return err
	}

	base := kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(a.accountID),
		ExpirationTTL: cloudflare.F(float64(*ttl)), // EXPECT kvttl
	}
	r := csv.NewReader(f)
	line := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		line++
		if len(rec) != 3 {
			return fmt.Errorf("line %d: want 3 fields", line)
		}
		used, err := strconv.Atoi(rec[2])
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		p := base
		p.Value = cloudflare.F(strconv.Itoa(used))
		key := fmt.Sprintf("quota:%s:%s", rec[0], rec[1])
		if _, err := a.client.KV.Namespaces.Values.Update(ctx, *ns, key, p); err != nil { // EXPECT kvcounter
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := a.store.Put(ctx, *ns, "backfill:checkpoint", []byte(strconv.Itoa(line)), 24*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	fmt.Fprintf(a.out, "backfilled %d rows\n", line)
	return a.store.Delete(ctx, *ns, "backfill:lock")
}

// stats prints key counts per top-level prefix.
func (a app) stats(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ExitOnError)
	ns := fs.String("ns", "", "namespace ID")
	prefix := fs.String("prefix", "", "only count keys under this prefix")
	maxPages := fs.Int("max-pages", 20, "page budget")
	sample := fs.Bool("sample", false, "print a small sample of key names first")
	fs.Parse(args)

	if *sample {
		page, err := a.client.KV.Namespaces.Keys.List(ctx, *ns, kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(a.accountID),
			Prefix:    cloudflare.F(*prefix),
			Limit:     cloudflare.F(5.0), // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			fmt.Fprintln(a.out, "  ", k.Name)
		}
	}

	counts := map[string]int{}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	for page := 0; page < *maxPages; page++ {
		res, err := a.client.KV.Namespaces.Keys.List(ctx, *ns, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			top, _, _ := strings.Cut(k.Name, ":")
			counts[top]++
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(a.accountID),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	for _, top := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(a.out, "%-24s %8d\n", top, counts[top])
	}
	return nil
}
