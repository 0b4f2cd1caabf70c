// Command plover-admin runs maintenance commands against plover's KV
// namespaces through the Cloudflare API.
//
//	plover-admin [-ns NAMESPACE_ID] COMMAND [ARGS...]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"plover/internal/admin/ops"
)

func main() {
	ns := flag.String("ns", os.Getenv("PLOVER_KV_NAMESPACE"), "KV namespace ID")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: plover-admin [-ns ID] COMMAND [ARGS...]\n\ncommands:\n")
		names := make([]string, 0, len(ops.Commands))
		for name := range ops.Commands {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fmt.Fprintf(flag.CommandLine.Output(), "  %s\n", name)
		}
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	cmd, ok := ops.Commands[flag.Arg(0)]
	if !ok {
		fmt.Fprintf(os.Stderr, "plover-admin: unknown command %q\n", flag.Arg(0))
		os.Exit(2)
	}

	ops.Configure(ops.Config{
		Token:     os.Getenv("CLOUDFLARE_API_TOKEN"),
		Account:   os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		Namespace: *ns,
		Out:       os.Stdout,
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd(ctx, flag.Args()[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "plover-admin %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
}
