// Command halyard-admin is the operator tool: key inspection, carrier
// directory sync, POD archive maintenance and driver revocation.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	cfv0 "github.com/cloudflare/cloudflare-go"
	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/halyard/internal/cfkv"
	"example.com/halyard/internal/config"
	"example.com/halyard/internal/driverauth"
	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/ledger"
	"example.com/halyard/internal/legacy/carrierdir"
	"example.com/halyard/internal/legacy/podarchive"
	"example.com/halyard/internal/loyalty"
)

type command struct {
	help string
	run  func(ctx context.Context, cfg *config.Config, args []string) error
}

var commands = map[string]command{
	"keys":          {"list one page of keys under a prefix", cmdKeys},
	"dump":          {"write every key under a prefix with its metadata as JSON lines", cmdDump},
	"purge-pods":    {"delete a shipper's archived PODs", cmdPurgePODs},
	"sync-carriers": {"load the carrier directory from a JSON file", cmdSyncCarriers},
	"publish-tiers": {"replace the loyalty tier table from a JSON file", cmdPublishTiers},
	"revoke-driver": {"sign a driver out of every device", cmdRevokeDriver},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: halyard-admin <command> [flags]")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-14s %s\n", n, commands[n].help)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		usage()
		os.Exit(2)
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := cmd.run(context.Background(), cfg, os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func cmdKeys(ctx context.Context, cfg *config.Config, args []string) error {
	fs := flag.NewFlagSet("keys", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	tenant := fs.String("tenant", "", "tenant whose namespace to read")
	cursor := fs.String("cursor", "", "cursor from a previous run")
	_ = fs.Parse(args)
	res, err := cfkv.API().KV.Namespaces.Keys.List(ctx, cfg.Namespace(*tenant), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(cfg.AccountID),
		Prefix:    cloudflare.F(*prefix),
		Cursor:    cloudflare.F(*cursor),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		fmt.Println(k.Name)
	}
	if c := res.ResultInfo.Cursor; c != "" {
		fmt.Fprintf(os.Stderr, "more keys: -cursor %s\n", c)
	}
	return nil
}

func cmdDump(ctx context.Context, cfg *config.Config, args []string) error {
	fs := flag.NewFlagSet("dump", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	tenant := fs.String("tenant", "", "tenant whose namespace to read")
	_ = fs.Parse(args)
	enc := json.NewEncoder(os.Stdout)
	iter := cfkv.API().KV.Namespaces.Keys.ListAutoPaging(ctx, cfg.Namespace(*tenant), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(cfg.AccountID),
		Prefix:    cloudflare.F(*prefix),
	})
	for iter.Next() {
		k := iter.Current()
		if err := enc.Encode(map[string]any{"name": k.Name, "expiration": k.Expiration, "metadata": k.Metadata}); err != nil {
			return err
		}
	}
	return iter.Err()
}

func cmdPurgePODs(ctx context.Context, cfg *config.Config, args []string) error {
	fs := flag.NewFlagSet("purge-pods", flag.ExitOnError)
	shipper := fs.String("shipper", "", "shipper ID prefix (required)")
	ns := fs.String("namespace", os.Getenv("HALYARD_POD_NAMESPACE"), "archive namespace")
	_ = fs.Parse(args)
	if strings.TrimSpace(*shipper) == "" {
		return fmt.Errorf("-shipper is required")
	}
	n, err := podarchive.New(cfg.AccountID, *ns).PurgeShipper(ctx, *shipper+"-")
	fmt.Printf("deleted %d archived PODs\n", n)
	return err
}

func cmdSyncCarriers(ctx context.Context, cfg *config.Config, args []string) error {
	fs := flag.NewFlagSet("sync-carriers", flag.ExitOnError)
	file := fs.String("file", "carriers.json", "directory export")
	_ = fs.Parse(args)
	b, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	var list []carrierdir.Carrier
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	api, err := cfv0.NewWithAPIToken(cfg.LegacyToken)
	if err != nil {
		return err
	}
	dir := &carrierdir.Directory{API: api, Account: cfv0.AccountIdentifier(cfg.AccountID), NamespaceID: cfg.NamespaceID}
	return dir.Sync(ctx, list)
}

func cmdPublishTiers(ctx context.Context, cfg *config.Config, args []string) error {
	fs := flag.NewFlagSet("publish-tiers", flag.ExitOnError)
	file := fs.String("file", "tiers.json", "tier table")
	_ = fs.Parse(args)
	b, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	var tiers []loyalty.Tier
	if err := json.Unmarshal(b, &tiers); err != nil {
		return err
	}
	prog := loyalty.New(cfkv.New(nil, cfg.AccountID, cfg.NamespaceID), ledger.NewMemory())
	return prog.PublishTiers(ctx, tiers)
}

func cmdRevokeDriver(ctx context.Context, cfg *config.Config, args []string) error {
	fs := flag.NewFlagSet("revoke-driver", flag.ExitOnError)
	driver := fs.String("driver", "", "driver ID (required)")
	_ = fs.Parse(args)
	if *driver == "" {
		return fmt.Errorf("-driver is required")
	}
	r := &driverauth.Revoker{API: cfkv.API(), AccountID: cfg.AccountID, NamespaceID: cfg.NamespaceID}
	n, err := r.RevokeAll(ctx, keys.Driver(*driver))
	fmt.Printf("revoked %d sessions\n", n)
	return err
}
