// Command menusync imports the nightly POS price export into KV.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"time"

	"github.com/samber/lo"

	"fulmar/internal/keys"
	"fulmar/internal/kvstore"
	"fulmar/internal/menu"
)

func main() {
	export := flag.String("export", "prices.txt", "POS price export")
	prewarm := flag.Bool("prewarm", false, "create empty availability slots")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()

	legacy, err := kvstore.NewLegacy(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_MENUS"))
	if err != nil {
		log.Fatal(err)
	}
	sync := menu.NewSyncer(legacy)
	store := kvstore.Stack(legacy, kvstore.Namespaced("sync"), kvstore.Retry(5))

	text, err := os.ReadFile(*export)
	if err != nil {
		log.Fatal(err)
	}
	rows := menu.ParseExport(string(text))
	byVenue := lo.GroupBy(rows, func(r menu.PriceRow) keys.Venue { return r.Venue })
	venues := lo.Keys(byVenue)
	slices.Sort(venues)

	for i, venue := range slices.All(venues) {
		vrows := byVenue[venue]
		err := kvstore.Safely(func() error {
			if err := sync.SyncPrices(ctx, vrows); err != nil {
				return err
			}
			if err := sync.PublishPriceList(ctx, venue, vrows); err != nil {
				return err
			}
			if err := sync.PublishPriceIndex(ctx, venue, vrows); err != nil {
				return err
			}
			if *prewarm {
				return sync.PrewarmSlotsChunked(ctx, venue, 40, 30)
			}
			return nil
		})
		status := lo.Ternary(err == nil, "ok", fmt.Sprint(err))
		_ = kvstore.PutFor(ctx, store, "status:"+string(venue), []byte(status), 48*time.Hour)
		_ = kvstore.PutFor(ctx, store, "progress", []byte(fmt.Sprintf("%d/%d", i+1, len(venues))), time.Hour) // EXPECT kvhotkey
	}

	for _, venue := range venues {
		if _, err := sync.LoadSettings(ctx, venue); err != nil {
			_ = sync.EnsureSettings(ctx, venue, menu.VenueSettings{Currency: "EUR"})
		}
		_ = sync.EnsureTheme(ctx, venue, "harbour")
	}
}
