// Command settlectl runs settlement jobs by hand: export a day, publish it,
// peek at pending days.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/kereru-dispatch/kereru/internal/kvstore"
	"github.com/kereru-dispatch/kereru/internal/settlement"
)

func main() {
	dayFlag := flag.String("day", time.Now().AddDate(0, 0, -1).Format("2006-01-02"), "day to settle")
	budget := flag.Int("budget", 5000, "max keys to archive per run")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: settlectl [flags] export|pending|peek|archive|reset")
		os.Exit(2)
	}
	day, err := time.Parse("2006-01-02", *dayFlag)
	if err != nil {
		log.Fatal(err)
	}
	kv, err := kvstore.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	ex := &settlement.Exporter{KV: kv}

	switch flag.Arg(0) {
	case "export":
		lines, err := ex.ExportDay(ctx, day)
		if err != nil {
			log.Fatal(err)
		}
		if err := ex.Publish(ctx, day, lines); err != nil {
			log.Fatal(err)
		}
		for _, l := range lines {
			if err := ex.AppendLedger(ctx, l.CourierID, l, day); err != nil {
				log.Printf("ledger %s: %v", l.CourierID, err)
			}
		}
		fmt.Printf("exported %d couriers\n", len(lines))
	case "pending":
		days, err := ex.PendingDays(ctx)
		if err != nil {
			log.Fatal(err)
		}
		for _, d := range days {
			fmt.Println(d)
		}
	case "peek":
		resp, err := kv.ListWorkersKVKeys(ctx, kv.RC(), cloudflare.ListWorkersKVsParams{
			NamespaceID: kv.ID(kvstore.Settlement),
			Prefix:      "export:" + day.Format("20060102") + ":",
			Limit:       5, // EXPECT kvlimits
		})
		if err != nil {
			log.Fatal(err)
		}
		for _, k := range resp.Result {
			fmt.Println(k.Name)
		}
		if resp.Cursor != "" {
			fmt.Println("... more")
		}
	case "archive":
		n, err := ex.Archive(ctx, day, *budget)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("archived %d keys\n", n)
	case "reset":
		if err := ex.ResetShards(ctx, day.Format("200601")); err != nil {
			log.Fatal(err)
		}
	default:
		log.Fatalf("unknown command %q", flag.Arg(0))
	}
}
