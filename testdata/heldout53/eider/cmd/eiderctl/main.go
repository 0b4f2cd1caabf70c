// Command eiderctl is the operations tool for the channel manager's edge
// data: publishing plans, adjusting prices, seeding properties and signing
// guests out.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/lakeshore-hospitality/eider/internal/cfkv"
	"github.com/lakeshore-hospitality/eider/internal/domain"
	"github.com/lakeshore-hospitality/eider/internal/export"
	"github.com/lakeshore-hospitality/eider/internal/publish"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: eiderctl publish|bump|seed|revoke|links|sample [flags]")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	file := fs.String("f", "", "JSON file with plans or settings")
	plan := fs.String("plan", "", "rate plan ID")
	room := fs.String("room", "", "room type")
	pct := fs.Float64("pct", 0, "price change in percent")
	property := fs.String("property", "", "property code")
	guest := fs.String("guest", "", "guest ID")
	limit := fs.Int("limit", 50, "maximum keys to print")
	_ = fs.Parse(os.Args[2:])

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	c := cfkv.Default()
	ns := publish.Namespaces{
		Rates:     os.Getenv("KV_RATES_ID"),
		Inventory: os.Getenv("KV_INVENTORY_ID"),
		Links:     os.Getenv("KV_LINKS_ID"),
	}
	pub := publish.New(c, ns)
	x := export.New(c, ns.Inventory, ns.Links, os.Getenv("KV_PORTAL_ID"), os.Getenv("KV_EXPORTS_ID"))

	var err error
	switch os.Args[1] {
	case "publish":
		var plans []domain.RatePlan
		if err = readJSON(*file, &plans); err == nil {
			err = publish.Retry(ctx, 4, func() error { return pub.Plans(ctx, plans) })
		}
	case "bump":
		err = pub.Bump(ctx, domain.PlanID(*plan), domain.RoomTypeID(*room), *pct)
	case "seed":
		var defaults map[string]any
		if err = readJSON(*file, &defaults); err == nil {
			err = x.SeedDefaults(ctx, *property, defaults)
		}
	case "revoke":
		var n int
		n, err = x.RevokeGuest(ctx, *guest)
		log.Printf("revoked %d sessions", n)
	case "links":
		var names []string
		names, err = x.RecentLinks(ctx, *limit)
		for _, n := range names {
			fmt.Println(n)
		}
	case "sample":
		var names []string
		names, err = x.Sample(ctx)
		for _, n := range names {
			fmt.Println(n)
		}
	default:
		usage()
	}
	if err != nil {
		log.Fatal(err)
	}
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
