// Command heronctl is the operators' tool for the ticketing namespaces.
//
//	heronctl backfill -namespace ID -promo codes.csv
//	heronctl export   -namespace ID -prefix ticket:
//	heronctl purge    -namespace ID -prefix hold:
//	heronctl rekey    -namespace ID -from KEY -to KEY
//	heronctl ttl-fix  -namespace ID -prefix hold:
package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"

	"github.com/cloudflare/cloudflare-go/v4"

	"example.com/heron/internal/platform/cfkv"
)

// target is the namespace a subcommand works on.
type target struct {
	account *string
	ns      *string
}

func targetFlags(fs *flag.FlagSet) *target {
	return &target{
		account: fs.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account id"),
		ns:      fs.String("namespace", "", "KV namespace id (required)"),
	}
}

// parse parses args and checks the target flags.
func (t *target) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *t.account == "" || *t.ns == "" {
		return fmt.Errorf("-account and -namespace are required")
	}
	return nil
}

type command struct {
	summary string
	run     func(ctx context.Context, api *cloudflare.Client, args []string) error
}

var commands = map[string]command{
	"backfill": {"load the seat map and promo codes", backfill},
	"export":   {"write keys and metadata as JSON lines", export},
	"purge":    {"delete keys under a prefix", purge},
	"rekey":    {"move one value to a new key", rekey},
	"ttl-fix":  {"give keys without expiry a lifetime", ttlFix},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: heronctl <command> [flags]")
	for _, n := range slices.Sorted(maps.Keys(commands)) {
		fmt.Fprintf(os.Stderr, "  %-9s %s\n", n, commands[n].summary)
	}
}

func main() {
	if len(os.Args) < 2 || slices.Contains([]string{"-h", "--help", "help"}, os.Args[1]) {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[strings.ToLower(os.Args[1])]
	if !ok {
		fmt.Fprintf(os.Stderr, "heronctl: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := cmd.run(ctx, cfkv.DefaultAPI(), os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "heronctl %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
