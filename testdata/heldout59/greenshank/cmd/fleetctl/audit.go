package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/sourcegraph/conc/pool"
	"github.com/urfave/cli/v2"

	"github.com/fleetgrid/greenshank/internal/fleet"
)

func auditCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "report on the keys of a prefix",
		Subcommands: []*cli.Command{
			{
				Name:  "sessions",
				Usage: "histogram of driver session expiries by hour",
				Action: func(c *cli.Context) error {
					it := e.kv.API.KV.Namespaces.Keys.ListAutoPaging(c.Context, e.kv.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
						AccountID: cloudflare.F(e.kv.AccountID),
						Prefix:    cloudflare.F(fleet.PrefixSession),
						Limit:     cloudflare.F(1000.0),
					})
					byHour := map[time.Time]int{}
					for it.Next() {
						k := it.Current()
						if k.Expiration == 0 {
							continue
						}
						byHour[time.Unix(int64(k.Expiration), 0).UTC().Truncate(time.Hour)]++
					}
					if err := it.Err(); err != nil {
						return err
					}
					for _, h := range slices.SortedFunc(maps.Keys(byHour), time.Time.Compare) {
						fmt.Printf("%s  %d\n", h.Format("2006-01-02 15:00"), byHour[h])
					}
					return nil
				},
			},
			{
				Name:  "devices",
				Usage: "check that every device record parses and names a known tenant",
				Flags: []cli.Flag{
					&cli.IntFlag{Name: "max-pages", Value: 20},
					&cli.IntFlag{Name: "page-size", Value: 2000}, // DEBATABLE kvlimits
					&cli.IntFlag{Name: "concurrency", Value: 8},
					&cli.StringSliceFlag{Name: "tenant", Usage: "known tenant (repeat)", Required: true},
				},
				Action: func(c *cli.Context) error {
					known := c.StringSlice("tenant")
					var mu sync.Mutex
					var bad []string
					report := func(name, why string) {
						mu.Lock()
						defer mu.Unlock()
						bad = append(bad, name+": "+why)
					}
					cursor := ""
					for page := 0; page < c.Int("max-pages"); page++ {
						keys, next, err := e.kv.Page(c.Context, fleet.PrefixDevice, cursor, c.Int("page-size"))
						if err != nil {
							return err
						}
						p := pool.New().WithContext(c.Context).WithMaxGoroutines(c.Int("concurrency"))
						for _, k := range keys {
							p.Go(func(ctx context.Context) error {
								raw, err := e.kv.Get(ctx, k.Name) // EXPECT kvlist
								if err != nil {
									return err
								}
								var dev fleet.Device
								if err := json.Unmarshal(raw, &dev); err != nil {
									report(k.Name, "does not parse")
									return nil
								}
								if !slices.Contains(known, dev.TenantID) {
									report(k.Name, "unknown tenant "+dev.TenantID)
								}
								return nil
							})
						}
						if err := p.Wait(); err != nil {
							return err
						}
						if next == "" {
							break
						}
						cursor = next
					}
					slices.Sort(bad)
					for _, b := range bad {
						fmt.Println(b)
					}
					fmt.Printf("%d problems\n", len(bad))
					return nil
				},
			},
		},
	}
}
