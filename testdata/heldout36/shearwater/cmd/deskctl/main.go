// Command deskctl is the operator CLI for shearwater's KV namespace.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"time"

	"github.com/deskfleet/shearwater/internal/restkv"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, c *restkv.Client, args []string) error
}

var commands = []command{
	{"export", "write the nightly export as JSON lines", runExport},
	{"purge", "delete cached keys of a tenant", runPurge},
	{"import-canned", "bulk load canned replies from a JSON file", runImportCanned},
	{"announce", "publish a maintenance notice to the consoles", runAnnounce},
	{"inspect", "list keys under a prefix", runInspect},
	{"reset-quotas", "reset the daily export quotas of all tenants", runResetQuotas},
	{"set-setting", "set a tenant setting, keeping unrelated fields", runSetSetting},
	{"show", "print one value", runShow},
	{"warm", "prefill ticket summaries from a JSON file", runWarm},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: deskctl <command> [flags]")
	sorted := append([]command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(os.Stderr, "  %-14s %s\n", c.name, c.summary)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	client := restkv.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("DESK_KV_NAMESPACE"))
	for _, c := range commands {
		if c.name != os.Args[1] {
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
		err := c.run(ctx, client, os.Args[2:])
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "deskctl %s: %v\n", c.name, err)
			os.Exit(1)
		}
		return
	}
	usage()
	os.Exit(2)
}
