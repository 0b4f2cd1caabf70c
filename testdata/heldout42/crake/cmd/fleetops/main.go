// Command fleetops is the operations team's tool for the fleet KV data:
// the nightly export, clean-up jobs and support actions.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/signal"
	"time"

	"github.com/crake-mobility/crake/internal/dbgen"
	"github.com/crake-mobility/crake/internal/ops"
)

func main() {
	log.SetFlags(0)
	var (
		account  = flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
		fleetNS  = flag.String("fleet-ns", os.Getenv("CRAKE_FLEET_NS"), "fleet namespace ID")
		reportNS = flag.String("reports-ns", os.Getenv("CRAKE_REPORTS_NS"), "reports namespace ID")
		gridNS   = flag.String("grid-ns", os.Getenv("CRAKE_GRID_NS"), "demand grid namespace ID")
		day      = flag.String("day", time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02"), "report day")
		input    = flag.String("in", "", "input JSON file")
		noticeTT = flag.Duration("notice-ttl", 2*time.Hour, "how long a notice stays up")
	)
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: fleetops [flags] export|riders|grid|audit|purge-holds|seed|signout|window|notice|zones")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	c := ops.NewClient(os.Getenv("CF_API_TOKEN"), *account, ops.Namespaces{Fleet: *fleetNS, Reports: *reportNS, Grid: *gridNS})
	q := dbgen.New(c.DB())

	var err error
	switch cmd := flag.Arg(0); cmd {
	case "export":
		var reports []ops.ScooterReport
		if err = readJSON(*input, &reports); err == nil {
			for i := range reports {
				if reports[i].Rides == 0 {
					n, err := q.GetScooterRides(ctx, reports[i].ScooterID)
					if err == nil && n == 0 {
						reports[i].Silent = true
					}
				}
			}
			err = c.ExportDay(ctx, *day, reports)
		}
	case "riders":
		var sums []ops.RiderSummary
		if err = readJSON(*input, &sums); err == nil {
			var failed []string
			failed, err = c.PublishRiderSummaries(ctx, (*day)[:7], sums)
			if len(failed) > 0 {
				log.Printf("%d keys failed; rerun with them", len(failed))
			}
		}
	case "grid":
		err = c.PublishDemandGrid(ctx, func(x, y int) float64 {
			dx, dy := float64(x-64), float64(y-64)
			return math.Exp(-(dx*dx + dy*dy) / 800)
		})
	case "dashboard":
		tiles := map[string]string{"updated": time.Now().UTC().Format(time.RFC3339)}
		err = c.PublishDashboard(ctx, tiles)
	case "audit":
		var silent []ops.SilentScooter
		silent, err = c.AuditSilent(ctx, time.Now())
		for _, s := range silent {
			fmt.Printf("%s\t%s\n", s.ID, s.LastSeen.Format(time.RFC3339))
		}
	case "purge-holds":
		var n int
		n, err = c.PurgeHolds(ctx)
		log.Printf("purged %d holds", n)
	case "seed":
		var created bool
		created, err = c.SeedConfig(ctx)
		log.Printf("config created: %v", created)
	case "signout":
		var n int
		n, err = c.ForceSignOut(ctx, flag.Arg(1), flag.Arg(2))
		log.Printf("removed %d sessions", n)
	case "window":
		var w ops.Window
		if err = readJSON(*input, &w); err == nil {
			err = c.AddMaintenanceWindow(ctx, w)
		}
	case "notice":
		err = c.PublishNotice(ctx, flag.Arg(1), flag.Arg(2), *noticeTT)
	case "zones":
		ids, complete, lerr := q.ListZoneIDs(ctx, 5)
		for _, id := range ids {
			fmt.Println(id)
		}
		if !complete {
			log.Print("more zones exist; listing stopped after 5 pages")
		}
		err = lerr
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func readJSON(path string, dst any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return json.NewDecoder(f).Decode(dst)
}
