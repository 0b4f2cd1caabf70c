// Command trellis-admin exports, imports, prunes, warms and seeds Trellis namespaces.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"example.com/trellis/internal/kvstore/cfkv"
)

const usage = `usage: trellis-admin <command> [flags]
  export   -prefix P -out FILE      write every entry under P as JSON lines
  import   -in FILE                 bulk-load entries written by export
  prune    -tenant T -older-than D  delete webhook delivery logs older than D
  warm     -tenant T -storefront U  request every product page once
  inspect  -prefix P                show a few keys under P
  seed     -tenants T1,T2           write default settings for new tenants
`

type admin struct {
	api *cf.API
	rc  *cf.ResourceContainer
	ns  string
	kv  *cfkv.Namespace
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := dispatch(ctx, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "trellis-admin:", err)
		os.Exit(1)
	}
}

func dispatch(ctx context.Context, cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	out := fs.String("out", "", "output file (default stdout)")
	in := fs.String("in", "", "input file")
	tenant := fs.String("tenant", "", "tenant id")
	tenants := fs.String("tenants", "", "comma-separated tenant ids")
	olderThan := fs.Duration("older-than", 30*24*time.Hour, "age threshold")
	storefront := fs.String("storefront", "", "storefront base URL")
	pages := fs.Int("pages", 20, "maximum pages to read")
	if err := fs.Parse(args); err != nil {
		return err
	}
	account, namespace, token := os.Getenv("CF_ACCOUNT_ID"), os.Getenv("CF_KV_NAMESPACE_ID"), os.Getenv("CF_API_TOKEN")
	api, err := cf.NewWithAPIToken(token)
	if err != nil {
		return err
	}
	a := &admin{api: api, rc: cf.AccountIdentifier(account), ns: namespace, kv: cfkv.NewFromToken(token, account, namespace)}
	switch cmd {
	case "export":
		return a.export(ctx, *prefix, *out)
	case "import":
		return a.importFile(ctx, *in)
	case "prune":
		return a.prune(ctx, *tenant, *olderThan)
	case "warm":
		return a.warm(ctx, *tenant, *storefront, *pages)
	case "inspect":
		return a.inspect(ctx, *prefix)
	case "seed":
		return a.seed(ctx, strings.Split(*tenants, ","))
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}
