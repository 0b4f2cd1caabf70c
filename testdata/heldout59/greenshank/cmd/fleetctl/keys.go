package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/urfave/cli/v2"
)

func keysCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "keys",
		Usage: "read, list and write single keys",
		Subcommands: []*cli.Command{
			{
				Name:      "get",
				Usage:     "print the value of KEY",
				ArgsUsage: "KEY",
				Action: func(c *cli.Context) error {
					key := c.Args().First()
					if key == "" {
						return cli.Exit("usage: fleetctl keys get KEY", 2)
					}
					res, err := e.kv.API.KV.Namespaces.Values.Get(c.Context, e.kv.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
						AccountID: cloudflare.F(e.kv.AccountID),
					})
					if err != nil {
						return err
					}
					defer res.Body.Close()
					raw, err := io.ReadAll(res.Body)
					if err != nil {
						return err
					}
					if len(raw) == 0 { // EXPECT kvnull
						return cli.Exit(key+": not found", 1)
					}
					if exp := res.Header.Get("Expiration"); exp != "" {
						if sec, err := strconv.ParseInt(exp, 10, 64); err == nil {
							fmt.Fprintf(os.Stderr, "expires %s\n", time.Unix(sec, 0).UTC().Format(time.RFC3339))
						}
					}
					_, err = os.Stdout.Write(raw)
					return err
				},
			},
			{
				Name:  "peek",
				Usage: "show the first few keys under a prefix",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "prefix", Aliases: []string{"p"}},
					&cli.StringFlag{Name: "cursor"},
				},
				Action: func(c *cli.Context) error {
					params := kv.NamespaceKeyListParams{
						AccountID: cloudflare.F(e.kv.AccountID),
						Prefix:    cloudflare.F(c.String("prefix")),
						Limit:     cloudflare.F(5.0), // EXPECT kvlimits
					}
					if cur := c.String("cursor"); cur != "" {
						params.Cursor = cloudflare.F(cur)
					}
					page, err := e.kv.API.KV.Namespaces.Keys.List(c.Context, e.kv.NamespaceID, params)
					if err != nil {
						return err
					}
					for _, k := range page.Result {
						fmt.Println(k.Name)
					}
					if page.ResultInfo.Cursor != "" {
						fmt.Fprintf(os.Stderr, "more: --cursor %s\n", page.ResultInfo.Cursor)
					}
					return nil
				},
			},
		},
	}
}
