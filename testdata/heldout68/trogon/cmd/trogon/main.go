// Command trogon is the deploy CLI customers run from CI: it publishes a
// site tree, flips toggles, manages deploy tokens and inspects history.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/alecthomas/kong"

	"github.com/trogon-edge/trogon/internal/kvrest"
)

// Context carries what every command needs. kong passes it to Run.
type Context struct {
	context.Context
	Out io.Writer
}

// CLI is the command tree; kong finds the commands by reflection.
type CLI struct {
	APIToken    string `env:"TROGON_API_TOKEN" required:"" help:"Cloudflare API token."`
	AccountID   string `env:"TROGON_ACCOUNT_ID" required:"" help:"Cloudflare account ID."`
	NamespaceID string `env:"TROGON_NAMESPACE_ID" required:"" help:"KV namespace of the edge Worker."`

	Deploy   DeployCmd   `cmd:"" help:"Publish a directory as the site's new version."`
	Rollback RollbackCmd `cmd:"" help:"Serve an earlier deploy again."`
	Purge    PurgeCmd    `cmd:"" help:"Bypass the edge cache briefly."`
	History  HistoryCmd  `cmd:"" help:"Show recent deploys."`
	Sample   SampleCmd   `cmd:"" help:"Show a few asset keys of a site."`
	PruneAll PruneAllCmd `cmd:"" name:"prune-all" help:"Delete every asset the live manifest does not use."`
	Headers  HeadersCmd  `cmd:"" help:"Publish the default security headers."`
	Toggle   ToggleCmd   `cmd:"" help:"Manage feature toggles."`
	Token    TokenCmd    `cmd:"" help:"Manage deploy tokens."`
	Lock     LockCmd     `cmd:"" help:"Inspect or break the deploy lock."`
}

// AfterApply opens the store once flags are parsed and binds it for Run.
func (c *CLI) AfterApply(kctx *kong.Context) error {
	store, err := kvrest.Open(kvrest.Settings{APIToken: c.APIToken, AccountID: c.AccountID, NamespaceID: c.NamespaceID})
	if err != nil {
		return err
	}
	kctx.Bind(store)
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var cli CLI
	kctx := kong.Parse(&cli,
		kong.Name("trogon"),
		kong.Description("Deploy and operate sites on the trogon edge."),
		kong.UsageOnError(),
		kong.Bind(&Context{Context: ctx, Out: os.Stdout}),
	)
	if err := kctx.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "trogon:", err)
		os.Exit(1)
	}
}
