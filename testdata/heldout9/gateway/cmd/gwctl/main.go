// Command gwctl is the operator CLI for the gateway's KV namespace: bulk
// import and export, spot checks and one-off migrations.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"

	"github.com/cloudflare/cloudflare-go"
)

type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(context.Context, *env, []string) error) {
	commands[name] = command{summary: summary, run: run}
}

// env is what every command gets.
type env struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

var (
	apiOnce sync.Once
	apiVal  *cloudflare.API
	apiErr  error
)

func sharedAPI() (*cloudflare.API, error) {
	apiOnce.Do(func() {
		apiVal, apiErr = cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	})
	return apiVal, apiErr
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gwctl [-account ID] [-namespace ID] COMMAND [args]")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-14s %s\n", n, commands[n].summary)
	}
}

func main() {
	account := flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account id")
	namespace := flag.String("namespace", os.Getenv("GW_KV_NAMESPACE"), "KV namespace id")
	flag.Usage = usage
	flag.Parse()
	if flag.NArg() == 0 {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[flag.Arg(0)]
	if !ok {
		fmt.Fprintf(os.Stderr, "gwctl: unknown command %q\n", flag.Arg(0))
		os.Exit(2)
	}
	api, err := sharedAPI()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gwctl:", err)
		os.Exit(1)
	}
	e := &env{api: api, rc: cloudflare.AccountIdentifier(*account), ns: *namespace}
	if err := cmd.run(context.Background(), e, flag.Args()[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gwctl:", err)
		os.Exit(1)
	}
}
