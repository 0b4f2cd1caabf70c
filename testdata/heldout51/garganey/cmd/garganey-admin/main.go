// Command garganey-admin is the operators' tool for the platform's KV
// namespaces. Each subcommand has its own flags; credentials come from
// CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/garganey/internal/kvstore"
	"example.com/garganey/internal/restkv"
)

const usage = `usage: garganey-admin <command> [flags]

namespaces:  get export peek
platform:    set-audio reindex revoke-sessions token seed-slots set-flag
`

// env is what every subcommand needs.
type env struct {
	ctx     context.Context
	api     *cloudflare.Client
	account string
	reg     *kvstore.Registry
}

// open returns the store for a namespace id or a full DSN.
func (e *env) open(ns string) (kvstore.Store, error) {
	if !strings.Contains(ns, "://") {
		ns = "kv://" + ns
	}
	return e.reg.Open(ns)
}

func requireNS(fs *flag.FlagSet, ns string) error {
	if ns == "" {
		fs.Usage()
		return errors.New("-ns is required")
	}
	return nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{ctx: ctx, account: os.Getenv("CLOUDFLARE_ACCOUNT_ID"), reg: kvstore.NewRegistry()}
	e.api = cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	e.reg.Register("kv", restkv.Constructor(e.api, e.account))
	e.reg.Register("mem", kvstore.OpenMem)

	var run func(*env, []string) error
	switch os.Args[1] {
	case "get":
		run = cmdGet
	case "export":
		run = cmdExport
	case "peek":
		run = cmdPeek
	case "set-audio":
		run = cmdSetAudio
	case "reindex":
		run = cmdReindex
	case "revoke-sessions":
		run = cmdRevokeSessions
	case "token":
		run = cmdToken
	case "seed-slots":
		run = cmdSeedSlots
	case "set-flag":
		run = cmdSetFlag
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err := run(e, os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
