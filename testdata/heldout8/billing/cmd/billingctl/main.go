// Command billingctl is the operator CLI for billing data in Workers KV.
// It predates the v3 SDK migration of billingd and still uses cloudflare-go v0.
//
//	billingctl [-ns NAMESPACE] COMMAND [flags]
package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"

	cf "github.com/cloudflare/cloudflare-go"
)

// env carries what every command needs.
type env struct {
	api *cf.API
	rc  *cf.ResourceContainer
	ns  string
}

type command struct {
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

var commands = map[string]command{
	"customers":      {"count customer records", cmdCustomers},
	"export":         {"dump keys under a prefix as JSON lines", cmdExport},
	"import":         {"load JSON lines produced by export", cmdImport},
	"audit":          {"list keys with expirations under a prefix", cmdAudit},
	"credits":        {"adjust a prepaid credit balance", cmdCredits},
	"show-credits":   {"print a prepaid credit balance", cmdShowCredits},
	"note":           {"append an internal note to a customer", cmdNote},
	"default-plan":   {"set the plan new sign-ups get", cmdDefaultPlan},
	"promo":          {"publish a promo code until a date", cmdPromo},
	"publish-terms":  {"publish plan terms for the pricing page", cmdPublishTerms},
	"purge-sessions": {"sign a user out everywhere", cmdPurgeSessions},
	"impersonate":    {"mint a support session for a customer", cmdImpersonate},
	"migrate-v2":     {"rewrite v1 customer records to the v2 layout", cmdMigrateV2},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: billingctl [-ns NAMESPACE] COMMAND [flags]")
	for _, n := range slices.Sorted(maps.Keys(commands)) {
		fmt.Fprintf(os.Stderr, "  %-16s %s\n", n, commands[n].summary)
	}
}

func main() {
	ns := flag.String("ns", os.Getenv("BILLING_KV_NAMESPACE"), "KV namespace id")
	flag.Usage = usage
	flag.Parse()
	if flag.NArg() < 1 {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[flag.Arg(0)]
	if !ok {
		fmt.Fprintf(os.Stderr, "billingctl: unknown command %q\n", flag.Arg(0))
		os.Exit(2)
	}
	api, err := cf.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "billingctl:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := env{api: api, rc: cf.AccountIdentifier(os.Getenv("CF_ACCOUNT_ID")), ns: *ns}
	if err := cmd.run(ctx, e, flag.Args()[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "billingctl %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
}
