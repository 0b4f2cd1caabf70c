// Command wharfadmin is the promoter's back-office tool for the waiting
// room's KV namespace: inspect keys, export, purge, seed pages and reset
// arena state between shows.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"time"

	"example.com/wharf/internal/cfadmin"
)

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, c *cfadmin.Client, args []string) error
}

var commands = []command{
	{"peek", "peek PREFIX", cmdPeek},
	{"export", "export PREFIX", cmdExport},
	{"bump-release", "bump-release DROP", cmdBumpRelease},
	{"audit-referrals", "audit-referrals", cmdAuditReferrals},
	{"reset-arena", "reset-arena DROP", cmdResetArena},
	{"put-terms", "put-terms DROP FILE", cmdPutTerms},
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	client := &cfadmin.Client{
		HTTP:        &http.Client{Timeout: time.Minute},
		Base:        cmp.Or(os.Getenv("CF_API_BASE"), cfadmin.DefaultBase),
		AccountID:   os.Getenv("CF_ACCOUNT_ID"),
		NamespaceID: os.Getenv("WHARF_KV_NAMESPACE_ID"),
		Token:       os.Getenv("CF_API_TOKEN"),
	}
	if client.AccountID == "" || client.NamespaceID == "" || client.Token == "" {
		fmt.Fprintln(os.Stderr, "wharfadmin: CF_ACCOUNT_ID, WHARF_KV_NAMESPACE_ID and CF_API_TOKEN must be set")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	for _, c := range commands {
		if c.name == os.Args[1] {
			if err := c.run(ctx, client, os.Args[2:]); err != nil {
				fmt.Fprintf(os.Stderr, "wharfadmin %s: %v\n", c.name, err)
				os.Exit(1)
			}
			return
		}
	}
	usage()
	os.Exit(2)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: wharfadmin COMMAND [ARGS]")
	for _, c := range commands {
		fmt.Fprintln(os.Stderr, "  "+c.usage)
	}
}

// parse parses args into fs and checks the positional argument count.
func parse(fs *flag.FlagSet, args []string, n int) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != n {
		return fmt.Errorf("want %d argument(s), got %d", n, fs.NArg())
	}
	return nil
}

func cmdPeek(ctx context.Context, c *cfadmin.Client, args []string) error {
	fs := flag.NewFlagSet("peek", flag.ContinueOnError)
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	page, err := c.ListKeys(ctx, fs.Arg(0), "", 5) // EXPECT kvlimits
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		fmt.Printf("%-60s  %s\n", k.Name, time.Unix(k.Expiration, 0).UTC().Format(time.RFC3339))
	}
	if page.Cursor != "" {
		fmt.Println("… more keys follow")
	}
	return nil
}

func cmdExport(ctx context.Context, c *cfadmin.Client, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	n, err := c.ExportAll(ctx, fs.Arg(0), os.Stdout)
	fmt.Fprintf(os.Stderr, "exported %d keys\n", n)
	return err
}

func cmdBumpRelease(ctx context.Context, c *cfadmin.Client, args []string) error {
	fs := flag.NewFlagSet("bump-release", flag.ContinueOnError)
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	n, err := c.BumpRelease(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Println(n)
	return nil
}
