package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/urfave/cli/v2"

	"github.com/fleetgrid/greenshank/internal/cfkv"
)

func migrateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "move every key under --from to the same name under --to",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "from", Required: true},
			&cli.StringFlag{Name: "to", Required: true},
			&cli.StringFlag{Name: "run-id", Value: time.Now().UTC().Format("20060102T1504")},
			&cli.StringFlag{Name: "resume-cursor"},
			&cli.BoolFlag{Name: "keep-source", Usage: "copy instead of move"},
		},
		Action: func(c *cli.Context) error {
			ctx := c.Context
			from, to := c.String("from"), c.String("to")
			if from == "" || from == to || strings.HasPrefix(to, from) {
				return cli.Exit("--to must differ from --from and not lie under it", 2)
			}
			progressKey := "migrate:progress:" + c.String("run-id")
			cursor := c.String("resume-cursor")
			moved, failed := 0, 0
			for {
				params := kv.NamespaceKeyListParams{
					AccountID: cloudflare.F(e.kv.AccountID),
					Prefix:    cloudflare.F(from),
					Limit:     cloudflare.F(1000.0),
				}
				if cursor != "" {
					params.Cursor = cloudflare.F(cursor)
				}
				page, err := e.kv.API.KV.Namespaces.Keys.List(ctx, e.kv.NamespaceID, params) // EXPECT kvlist
				if err != nil {
					return err
				}
				byName := make(map[string]kv.Key, len(page.Result))
				names := make([]string, 0, len(page.Result))
				for _, k := range page.Result {
					byName[k.Name] = k
					names = append(names, k.Name)
				}
				for chunk := range slices.Chunk(names, cfkv.MaxBulkGet) {
					values, err := e.kv.BulkGet(ctx, chunk)
					if err != nil {
						return err
					}
					pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
					var done []string
					for _, name := range chunk {
						v, ok := values[name]
						if !ok {
							continue
						}
						body := kv.NamespaceBulkUpdateParamsBody{
							Key:   cloudflare.F(to + strings.TrimPrefix(name, from)),
							Value: cloudflare.F(v),
						}
						if k := byName[name]; k.Expiration > 0 {
							body.Expiration = cloudflare.F(k.Expiration)
						}
						if m := byName[name].Metadata; m != nil {
							body.Metadata = cloudflare.F(m)
						}
						pairs = append(pairs, body)
						done = append(done, name)
					}
					unwritten, err := e.kv.BulkPut(ctx, pairs)
					if err != nil {
						return err
					}
					failed += len(unwritten)
					done = slices.DeleteFunc(done, func(n string) bool {
						return slices.Contains(unwritten, to+strings.TrimPrefix(n, from))
					})
					if !c.Bool("keep-source") {
						if err := e.kv.BulkDelete(ctx, done); err != nil {
							return err
						}
					}
					moved += len(done)
					state := fmt.Sprintf(`{"cursor":%q,"moved":%d,"failed":%d}`, cursor, moved, failed)
					if err := e.kv.Put(ctx, progressKey, []byte(state), 7*24*time.Hour); err != nil { // EXPECT kvhotkey
						return err
					}
				}
				cursor = page.ResultInfo.Cursor
				if cursor == "" {
					break
				}
			}
			fmt.Printf("moved %d keys, %d failed (run %s)\n", moved, failed, c.String("run-id"))
			return nil
		},
	}
}
