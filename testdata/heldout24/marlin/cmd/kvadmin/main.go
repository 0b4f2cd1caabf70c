// Command kvadmin is the operators' tool for inspecting and migrating KV
// namespaces.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/marlin/internal/admin/legacykv"
	"example.com/marlin/internal/admin/migrate"
	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv/cfkv"
)

func main() {
	ns := flag.String("ns", os.Getenv("KV_NAMESPACE"), "source namespace id")
	dst := flag.String("dst", os.Getenv("KV_DEST_NAMESPACE"), "destination namespace id (migrate)")
	prefix := flag.String("prefix", "", "key prefix")
	pages := flag.Int("pages", 20, "page budget for walks")
	flag.Parse()

	token, account := os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	src, err := legacykv.Open(token, account, *ns)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	switch cmd := flag.Arg(0); cmd {
	case "keys":
		names, err := src.Keys(ctx, *prefix)
		check(err)
		check(out.Encode(names))
	case "sample":
		keys, err := src.Sample(ctx, *prefix)
		check(err)
		check(out.Encode(keys))
	case "dump":
		keys, err := src.Dump(ctx, *prefix, *pages)
		check(err)
		check(out.Encode(keys))
	case "get-int":
		fmt.Println(src.Int(ctx, flag.Arg(1)))
	case "ensure":
		created, err := src.EnsureDefault(ctx, flag.Arg(1), []byte(flag.Arg(2)))
		check(err)
		fmt.Println("created:", created)
	case "import":
		var pairs []legacykv.Pair
		b, err := os.ReadFile(flag.Arg(1))
		check(err)
		check(json.Unmarshal(b, &pairs))
		n, err := src.Import(ctx, pairs)
		check(err)
		fmt.Println("imported", n)
	case "migrate":
		client := cloudflare.NewClient(option.WithAPIToken(token))
		m := migrate.New(src, cfkv.New(client, account, *dst), clock.System{}, *pages)
		rep, err := m.Copy(ctx)
		check(err)
		check(m.WriteReport(ctx, rep))
		check(m.WriteManifest(ctx, rep))
		check(out.Encode(rep))
	default:
		log.Fatalf("unknown command %q (keys|sample|dump|get-int|ensure|import|migrate)", cmd)
	}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
