// Command wrenadmin is Wren's back-office tool. It reads and writes the
// tenants' KV namespaces through the Cloudflare API.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/cloudflare/cloudflare-go/v6"

	"wren/internal/admin"
	"wren/internal/config"
)

type env struct {
	cfg    config.Config
	client *cloudflare.Client
}

func (e *env) ns(tenant string) (*admin.Namespace, error) {
	return admin.Open(e.client, e.cfg, tenant)
}

var commands = map[string]func(*env, context.Context, []string) error{
	"publish-menu":      (*env).publishMenu,
	"preview-banner":    (*env).previewBanner,
	"generate-vouchers": (*env).generateVouchers,
	"purge-staff":       (*env).purgeStaff,
	"export-loyalty":    (*env).exportLoyalty,
	"import-stamps":     (*env).importStamps,
	"tier-rules":        (*env).tierRules,
	"hold-table":        (*env).holdTable,
	"get":               (*env).get,
	"sync-kds":          (*env).syncKDS,
}

func main() {
	cfgPath := flag.String("config", "wren.json", "config file (env overrides apply)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: wrenadmin [-config file] <command> [flags]\ncommands:")
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintln(os.Stderr, "  "+n)
		}
	}
	flag.Parse()
	run, ok := commands[flag.Arg(0)]
	if !ok {
		flag.Usage()
		os.Exit(2)
	}
	cfg, err := config.LoadFile(*cfgPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(&env{cfg: cfg, client: admin.NewClient(cfg.Admin)}, ctx, flag.Args()[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "wrenadmin %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
}
