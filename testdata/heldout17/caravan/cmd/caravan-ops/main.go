// Command caravan-ops is the operators' tool for the KV namespaces behind
// caravan: list them, export, count, walk or sample their keys, inspect a
// value and write a namespace's manifest.
//
//	caravan-ops namespaces
//	caravan-ops export   <namespace-id>
//	caravan-ops count    <namespace-id> <prefix>
//	caravan-ops walk     <namespace-id> <prefix>
//	caravan-ops sample   <namespace-id> <prefix>
//	caravan-ops inspect  <namespace-id> <key>
//	caravan-ops manifest <namespace-id> <owner> <purpose>
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	cf2 "github.com/cloudflare/cloudflare-go/v2"
	option2 "github.com/cloudflare/cloudflare-go/v2/option"
	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
)

func main() {
	maxPages := flag.Int("max-pages", 50, "stop count and walk after this many pages")
	flag.Parse()
	args := append(flag.Args(), "", "", "", "")
	token := os.Getenv("CLOUDFLARE_API_TOKEN")
	w := &Walker{
		V6:        cloudflare.NewClient(option.WithAPIToken(token)),
		V2:        cf2.NewClient(option2.WithAPIToken(token)),
		AccountID: os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		Out:       os.Stdout,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var err error
	switch ns := args[1]; args[0] {
	case "namespaces":
		list, lerr := w.Namespaces(ctx)
		for _, n := range list {
			fmt.Printf("%s\t%s\n", n.ID, n.Title)
		}
		err = lerr
	case "export":
		var n int
		n, err = w.Export(ctx, ns)
		fmt.Fprintf(os.Stderr, "%d keys exported\n", n)
	case "count":
		n, complete, cerr := w.Count(ctx, ns, args[2], *maxPages)
		fmt.Printf("%d keys (complete: %t)\n", n, complete)
		err = cerr
	case "walk":
		_, err = w.Walk(ctx, ns, args[2], *maxPages, func(name string, exp float64) error {
			_, err := fmt.Printf("%s\t%s\n", name, time.Unix(int64(exp), 0).UTC().Format(time.RFC3339))
			return err
		})
	case "sample":
		names, serr := w.Sample(ctx, ns, args[2])
		for _, n := range names {
			fmt.Println(n)
		}
		err = serr
	case "inspect":
		err = w.Inspect(ctx, ns, args[2])
	case "manifest":
		err = w.WriteManifest(ctx, ns, Manifest{Owner: args[2], Purpose: args[3], UpdatedAt: time.Now().UTC()})
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "caravan-ops:", err)
		os.Exit(1)
	}
}
