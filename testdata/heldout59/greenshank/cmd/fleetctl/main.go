// Command fleetctl is the operators' tool for the FleetGrid KV namespaces:
// reading keys, auditing prefixes, migrating key layouts and managing
// provisioning codes.
package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/fleetgrid/greenshank/internal/cfkv"
)

// env is filled by the app's Before hook and shared by all commands.
type env struct {
	kv *cfkv.Client
}

func main() {
	e := &env{}
	app := &cli.App{
		Name:  "fleetctl",
		Usage: "operate the FleetGrid KV namespaces",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "account", EnvVars: []string{"CF_ACCOUNT_ID"}, Required: true},
			&cli.StringFlag{Name: "token", EnvVars: []string{"CF_API_TOKEN"}, Required: true},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, EnvVars: []string{"KV_FLEET_NAMESPACE"}, Required: true},
		},
		Before: func(c *cli.Context) error {
			e.kv = cfkv.New(c.String("token"), c.String("account"), c.String("namespace"))
			return nil
		},
		Commands: []*cli.Command{
			keysCommand(e),
			auditCommand(e),
			migrateCommand(e),
			codesCommand(e),
			opsCommand(e),
		},
	}
	if err := app.Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "fleetctl:", err)
		os.Exit(1)
	}
}
