package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/urfave/cli/v2"
)

const (
	bannerKey = "banner:console"

	legalFooter = "FleetGrid telematics data is provided for fleet operations only. Positions are " +
		"reported by third-party gateways and may be delayed, incomplete or inaccurate; do not use " +
		"them for emergency dispatch or as evidence of a driver's conduct without corroboration. " +
		"Driver location data is personal data under GDPR and UK GDPR: your organisation is the " +
		"controller and must have a lawful basis, inform drivers, and honour access and erasure " +
		"requests within one month. Data is retained for 90 days unless your contract says " +
		"otherwise. Geofence alerts are best-effort notifications and can be lost or duplicated " +
		"when a gateway is offline. Service levels, support hours and sub-processors are listed " +
		"at https://fleetgrid.io/legal. By continuing to use the console you accept the current " +
		"terms of service, the data processing addendum and the acceptable use policy, including " +
		"the prohibition on tracking vehicles outside working hours where local law forbids it. " +
		"Questions about this notice can be sent to privacy@fleetgrid.io or to the data protection " +
		"officer at FleetGrid Ltd, 4 Harbour Yard, Bristol BS1 6XX, United Kingdom."

	depotReportQuery = "group=depot&window=28d&tz=Europe/London&metrics=vehicle_count,active_vehicles," +
		"idle_minutes_p50,idle_minutes_p95,engine_hours,distance_km,fuel_litres,fuel_per_100km," +
		"harsh_braking_per_1000km,harsh_accel_per_1000km,speeding_events,geofence_entries,geofence_exits," +
		"after_hours_trips,first_departure_p50,last_return_p50,utilisation_pct,maintenance_overdue," +
		"dtc_open,gateway_offline_minutes&filters=status:in:active|loan,ownership:in:owned|leased," +
		"class:in:van|hgv|car&sort=utilisation_pct:desc,depot:asc&format=json&v=3"
	depotReportKey = "report:depot-utilization:" + depotReportQuery
)

func opsCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "ops",
		Usage: "one-off operational tasks",
		Subcommands: []*cli.Command{
			{
				Name:  "banner",
				Usage: "set the console banner",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "title", Required: true},
					&cli.StringFlag{Name: "body", Required: true},
					&cli.StringFlag{Name: "severity", Value: "info"},
				},
				Action: func(c *cli.Context) error {
					return e.kv.PutMeta(c.Context, bannerKey, []byte(c.String("body")), map[string]any{"title": c.String("title"), "severity": c.String("severity"), "footer": legalFooter}, 0) // EXPECT kvlimits
				},
			},
			{
				Name:  "depot-report",
				Usage: "publish the depot utilisation report exported from the warehouse",
				Flags: []cli.Flag{
					&cli.PathFlag{Name: "file", Required: true},
				},
				Action: func(c *cli.Context) error {
					b, err := os.ReadFile(c.Path("file"))
					if err != nil {
						return err
					}
					if !json.Valid(b) {
						return cli.Exit("report is not JSON", 1)
					}
					return e.kv.Put(c.Context, depotReportKey, b, 26*time.Hour) // EXPECT kvlimits
				},
			},
			{
				Name:  "quota-reset",
				Usage: "zero a tenant's API usage for the current month after a billing dispute",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "tenant", Required: true},
				},
				Action: func(c *cli.Context) error {
					key := "quota:used:" + c.String("tenant") + ":" + time.Now().UTC().Format("2006-01")
					return e.kv.Put(c.Context, key, []byte("0"), 40*24*time.Hour) // DEBATABLE kvcounter
				},
			},
			{
				Name:  "seed-defaults",
				Usage: "write default configuration keys that are missing",
				Action: func(c *cli.Context) error {
					defaults := map[string]string{
						"config:driverapp:min-build": "412",
						"config:tenants":             "[]",
						"config:decommissioned":      "[]",
					}
					for _, k := range slices.Sorted(maps.Keys(defaults)) {
						if _, err := e.kv.Get(c.Context, k); err != nil { // EXPECT kvnull
							if err := e.kv.Put(c.Context, k, []byte(defaults[k]), 0); err != nil { // DEBATABLE kvrace
								return err
							}
							fmt.Println("seeded", k)
							continue
						}
						fmt.Println("kept", k)
					}
					return nil
				},
			},
			{
				Name:  "warm",
				Usage: "preload tenant settings exported from the admin database",
				Flags: []cli.Flag{
					&cli.PathFlag{Name: "file", Required: true, Usage: "JSON object of key to value"},
					&cli.DurationFlag{Name: "ttl", Value: 45 * time.Second}, // DEBATABLE kvttl
				},
				Action: func(c *cli.Context) error {
					b, err := os.ReadFile(c.Path("file"))
					if err != nil {
						return err
					}
					var entries map[string]json.RawMessage
					if err := json.Unmarshal(b, &entries); err != nil {
						return err
					}
					ttl := c.Duration("ttl")
					pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
					for _, k := range slices.Sorted(maps.Keys(entries)) {
						pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
							Key:           cloudflare.F("settings:" + k),
							Value:         cloudflare.F(string(entries[k])),
							ExpirationTTL: cloudflare.F(ttl.Seconds()),
						})
					}
					failed, err := e.kv.BulkPut(c.Context, pairs)
					if err != nil {
						return err
					}
					if len(failed) > 0 {
						return fmt.Errorf("%d of %d keys not written, first %q", len(failed), len(pairs), failed[0])
					}
					return nil
				},
			},
		},
	}
}
