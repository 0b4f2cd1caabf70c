// Command beaconctl is the operator tool: namespace exports and imports,
// receipt purges and a few diagnostics.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/beacon/internal/config"
	"example.com/beacon/internal/kvstore"
	"example.com/beacon/internal/legacy/export"
	"example.com/beacon/internal/legacy/lkv"
	"example.com/beacon/internal/providers"
	"example.com/beacon/internal/retry"
)

const usage = `usage: beaconctl <command> [flags]

  keys            print one page of keys of a namespace (-ns -prefix -cursor)
  export          dump key names under -prefix from the legacy namespace
  count           count keys under -prefix, reading at most -pages pages
  import          bulk-load a dump -file into the legacy namespace
  probe           check the legacy token can list
  purge-receipts  delete the receipts of -tenant -campaign
  seed-templates  write the starter templates for -tenant
  bench-write     time a large write to a scratch key
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "beaconctl:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd string, args []string) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	ns := fs.String("ns", cfg.Cloudflare.Namespaces.Devices, "namespace ID")
	tenant := fs.String("tenant", "", "tenant ID")
	campaignID := fs.String("campaign", "", "campaign ID")
	pages := fs.Int("pages", 3, "pages to read")
	file := fs.String("file", "", "dump file")
	cursor := fs.String("cursor", "", "list cursor")
	_ = fs.Parse(args)

	switch cmd {
	case "keys":
		return listKeys(ctx, cfg, *ns, *prefix, *cursor)
	case "export", "count", "import", "probe":
		conn, err := lkv.Dial(cfg.Legacy.APIToken, cfg.Cloudflare.AccountID, cfg.Legacy.NamespaceID)
		if err != nil {
			return err
		}
		return legacy(ctx, &export.Exporter{Conn: conn}, cmd, *prefix, *pages, *file, cfg.Legacy.ImportTTL)
	}

	reg, err := providers.ProvideRegistry(cfg)
	if err != nil {
		return err
	}
	switch cmd {
	case "purge-receipts":
		_, adm := providers.ProvideReceipts(reg)
		n, err := adm.Purge(ctx, *tenant, *campaignID)
		fmt.Printf("purged %d receipts\n", n)
		return err
	case "seed-templates":
		return providers.ProvideCampaigns(reg).SeedTemplates(ctx, *tenant)
	case "bench-write":
		return benchWrite(ctx, providers.Store(reg, providers.KVDevices))
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

// listKeys prints one page and the cursor to pass for the next.
func listKeys(ctx context.Context, cfg *config.Config, ns, prefix, cursor string) error {
	client := cloudflare.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken))
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(cfg.Cloudflare.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := client.KV.Namespaces.Keys.List(ctx, ns, params)
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Println(k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Printf("# more: -cursor %s\n", page.ResultInfo.Cursor)
	}
	return nil
}

func legacy(ctx context.Context, ex *export.Exporter, cmd, prefix string, pages int, file string, ttl time.Duration) error {
	switch cmd {
	case "export":
		n, err := ex.Dump(ctx, os.Stdout, prefix)
		fmt.Fprintf(os.Stderr, "exported %d keys\n", n)
		return err
	case "count":
		n, exact, err := ex.Count(ctx, prefix, pages)
		fmt.Printf("%d (exact: %v)\n", n, exact)
		return err
	case "probe":
		return retry.Do(ctx, retry.Default, func() error { return ex.Probe(ctx) })
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := ex.Import(ctx, f, ttl)
	fmt.Fprintf(os.Stderr, "imported %d records\n", n)
	return err
}

// benchPayload is the size of the scratch value bench-write stores.
const benchPayload = 32 << 20

func benchWrite(ctx context.Context, store kvstore.Store) error {
	key := "bench:" + time.Now().UTC().Format("20060102T150405")
	start := time.Now()
	err := store.Put(ctx, key, make([]byte, benchPayload), kvstore.PutOptions{TTL: 10 * time.Minute}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d bytes in %s\n", benchPayload, time.Since(start).Round(time.Millisecond))
	return store.Delete(ctx, key)
}
