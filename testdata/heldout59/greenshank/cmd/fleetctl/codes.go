package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/urfave/cli/v2"

	"github.com/fleetgrid/greenshank/internal/cfkv"
	"github.com/fleetgrid/greenshank/internal/fleet"
)

const (
	factoryBatch   = 12_000
	factoryCodeTTL = 180 * 24 * time.Hour
	codesMaxPages  = 50
)

func codesCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "codes",
		Usage: "manage device provisioning codes",
		Subcommands: []*cli.Command{
			{
				Name:  "factory",
				Usage: "mint a factory batch of codes for a tenant and print them as CSV",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "tenant", Required: true},
				},
				Action: func(c *cli.Context) error {
					tenant := c.String("tenant")
					expires := time.Now().Add(factoryCodeTTL).UTC()
					body := make([]kv.NamespaceBulkUpdateParamsBody, 0, factoryBatch)
					codes := make([]string, 0, factoryBatch)
					for range factoryBatch {
						pc := fleet.ProvisioningCode{Code: fleet.NewCode(), TenantID: tenant, CreatedBy: "factory", ExpiresAt: expires}
						b, err := json.Marshal(pc)
						if err != nil {
							return err
						}
						body = append(body, kv.NamespaceBulkUpdateParamsBody{
							Key:           cloudflare.F(fleet.ProvCodeKey(pc.Code)),
							Value:         cloudflare.F(string(b)),
							ExpirationTTL: cloudflare.F(factoryCodeTTL.Seconds()),
						})
						codes = append(codes, pc.Code)
					}
					res, err := e.kv.API.KV.Namespaces.BulkUpdate(c.Context, e.kv.NamespaceID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(e.kv.AccountID), Body: body}) // EXPECT kvlimits
					if err != nil {
						return err
					}
					w := csv.NewWriter(os.Stdout)
					_ = w.Write([]string{"code", "tenant", "expires"})
					for _, code := range codes {
						if !slices.Contains(res.UnsuccessfulKeys, fleet.ProvCodeKey(code)) {
							_ = w.Write([]string{code, tenant, expires.Format(time.DateOnly)})
						}
					}
					w.Flush()
					return w.Error()
				},
			},
			{
				Name:  "expire",
				Usage: "make every outstanding code of a tenant expire at a given time",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "tenant", Required: true},
					&cli.TimestampFlag{Name: "at", Layout: time.RFC3339, Required: true},
				},
				Action: func(c *cli.Context) error {
					ctx := c.Context
					tenant := c.String("tenant")
					deadline := c.Timestamp("at")
					if deadline == nil || !deadline.After(time.Now().Add(time.Minute)) {
						return cli.Exit("--at must be at least a minute in the future", 2)
					}
					var pairs []kv.NamespaceBulkUpdateParamsBody
					cursor := ""
					for page := 0; page < codesMaxPages; page++ {
						keys, next, err := e.kv.Page(ctx, fleet.PrefixProvCode, cursor, 1000)
						if err != nil {
							return err
						}
						for chunk := range slices.Chunk(keys, cfkv.MaxBulkGet) {
							names := make([]string, len(chunk))
							for i, k := range chunk {
								names[i] = k.Name
							}
							values, err := e.kv.BulkGet(ctx, names)
							if err != nil {
								return err
							}
							for name, v := range values {
								var pc fleet.ProvisioningCode
								if json.Unmarshal([]byte(v), &pc) != nil || pc.TenantID != tenant {
									continue
								}
								pc.ExpiresAt = deadline.UTC()
								b, _ := json.Marshal(pc)
								pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
									Key:        cloudflare.F(name),
									Value:      cloudflare.F(string(b)),
									Expiration: cloudflare.F(float64(deadline.UnixMilli())), // EXPECT kvttl
								})
							}
						}
						if next == "" {
							break
						}
						cursor = next
					}
					failed, err := e.kv.BulkPut(ctx, pairs) // DEBATABLE kvrace
					if err != nil {
						return err
					}
					fmt.Printf("%d codes of %s now expire at %s (%d failed)\n", len(pairs)-len(failed), tenant, deadline.UTC().Format(time.RFC3339), len(failed))
					return nil
				},
			},
		},
	}
}
