// Command ploverctl is the operator CLI for the plover flag namespace. It
// talks to Workers KV through the Cloudflare REST API.
//
//	ploverctl <command> [flags]
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/fernhill/plover/internal/cfkv"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

var client *cfkv.Client

func commands() []command {
	return []command{
		{"export", "write every key under a prefix as JSON lines", runExport},
		{"import", "bulk-load JSON lines produced by export", runImport},
		{"peek", "show the first keys under a prefix", runPeek},
		{"get", "print one value", runGet},
		{"claim-slug", "reserve a flag slug for a tenant", runClaimSlug},
		{"rollout", "change a flag's rollout percentage", runRollout},
		{"set-default", "set a tenant's default variant for a flag", runSetDefault},
		{"rotate-sdk-key", "issue a new SDK key and retire the old one", runRotateKey},
		{"purge", "delete keys under a prefix", runPurge},
		{"set-quota", "set a tenant's monthly evaluation quota", runSetQuota},
		{"seed", "load synthetic flags for a load test", runSeed},
		{"warm", "pre-populate a tenant's flag cache", runWarm},
		{"scan", "count keys per prefix segment", runScan},
	}
}

func usage(cmds []command) {
	fmt.Fprintln(os.Stderr, "usage: ploverctl <command> [flags]")
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(os.Stderr, "  %-16s %s\n", c.name, c.summary)
	}
}

func main() {
	cmds := commands()
	if len(os.Args) < 2 {
		usage(cmds)
		os.Exit(2)
	}
	client = cfkv.New(os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID"), os.Getenv("PLOVER_KV_NAMESPACE"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	for _, c := range cmds {
		if c.name == os.Args[1] {
			if err := c.run(ctx, os.Args[2:]); err != nil {
				fmt.Fprintf(os.Stderr, "ploverctl %s: %v\n", c.name, err)
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "ploverctl: unknown command %q\n", strings.Join(os.Args[1:2], ""))
	usage(cmds)
	os.Exit(2)
}
