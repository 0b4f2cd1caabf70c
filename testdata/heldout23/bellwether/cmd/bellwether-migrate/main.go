// Command bellwether-migrate copies polls and slugs from the legacy
// namespace into the current one.
//
//	bellwether-migrate -from <namespace> -to <namespace> [-prefix polls/] [-one key]
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/bellwether/internal/legacy"
)

func main() {
	var (
		from    = flag.String("from", "", "legacy namespace id")
		to      = flag.String("to", os.Getenv("CF_KV_NAMESPACE_ID"), "destination namespace id")
		prefix  = flag.String("prefix", "polls/", "legacy key prefix to copy")
		one     = flag.String("one", "", "copy only this key")
		ttlDays = flag.Int("ttl-days", 0, "expire copied keys after this many days (0 keeps them)")
	)
	flag.Parse()
	account := os.Getenv("CF_ACCOUNT_ID")
	if *from == "" || *to == "" || account == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	ttl := time.Duration(*ttlDays) * 24 * time.Hour
	m := legacy.NewMigrator(client, account, *from, *to, ttl)

	switch {
	case *one != "":
		if err := m.CopyOne(ctx, *one); err != nil {
			log.Fatal(err)
		}
	default:
		if err := m.Run(ctx, *prefix); err != nil {
			log.Fatal(err)
		}
	}
}
