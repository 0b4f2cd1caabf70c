// Command foundryctl runs operator tasks against the foundry namespaces.
//
//	foundryctl audit <namespace>
//	foundryctl sample <namespace> <prefix> [cursor]
//	foundryctl export <namespace> <prefix>
//	foundryctl export-profiles
//	foundryctl prewarm-shards
//	foundryctl bake <seed>
//	foundryctl upload-replays <manifests.json>
//	foundryctl upgrade-profiles <ids.txt>
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/foundry/internal/admin"
	"example.com/foundry/internal/config"
	"example.com/foundry/internal/kvstore"
	"example.com/foundry/internal/profiles"
	"example.com/foundry/internal/replays"
)

// shardCount is the number of matchmaking shards the allocator hashes
// tickets into.
const shardCount = 16384

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "foundryctl:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return fmt.Errorf("usage: foundryctl <command> [args]")
	}
	cmd, args := args[0], args[1:]
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cf := kvstore.NewClient(cfg.Cloudflare.APIToken, cfg.Cloudflare.BaseURL)
	acct, ns := cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces
	nsByName := map[string]string{
		"profiles": ns.Profiles, "sessions": ns.Sessions, "matchmaking": ns.Matchmaking,
		"flags": ns.Flags, "guilds": ns.Guilds, "replays": ns.Replays, "ops": ns.Ops,
	}
	walker := func(name string) *admin.Walker {
		id := nsByName[name]
		return admin.NewWalker(cf, acct, id, kvstore.NewNamespace(cf, acct, id, log), log)
	}

	switch cmd {
	case "audit":
		counts, err := walker(arg(0)).Audit(ctx)
		for _, p := range slices.Sorted(maps.Keys(counts)) {
			fmt.Printf("%-24s %d\n", p, counts[p])
		}
		return err

	case "sample":
		names, cursor, err := walker(arg(0)).Sample(ctx, arg(1), arg(2))
		fmt.Println(strings.Join(names, "\n"), "\ncursor:", cursor)
		return err

	case "export-profiles":
		svc := profiles.New(kvstore.NewNamespace(cf, acct, ns.Profiles, log), time.Minute, log)
		return svc.Export(ctx, func(id string) error { _, err := fmt.Println(id); return err })

	case "export":
		out := bufio.NewWriter(os.Stdout)
		defer out.Flush()
		iter := cf.KV.Namespaces.Keys.ListAutoPaging(ctx, nsByName[arg(0)], kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cloudflare.F(acct),
			Prefix:    cloudflare.F(arg(1)),
		})
		for iter.Next() {
			k := iter.Current()
			line, _ := json.Marshal(map[string]any{"name": k.Name, "expiration": k.Expiration, "metadata": k.Metadata})
			out.Write(append(line, '\n'))
		}
		return iter.Err()

	case "prewarm-shards":
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, shardCount)
		for i := range shardCount {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(fmt.Sprintf("mm/shard/%05d", i)),
				Value: cloudflare.F(`{"tickets":0}`),
			})
		}
		res, err := cf.KV.Namespaces.BulkUpdate(ctx, ns.Matchmaking, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(acct),
			Body:      body,
		})
		if err != nil {
			return err
		}
		fmt.Printf("wrote %d shards, %d failed\n", int(res.SuccessfulKeyCount), len(res.UnsuccessfulKeys))
		return nil

	case "bake":
		seed, err := strconv.ParseUint(arg(0), 0, 64)
		if err != nil {
			return err
		}
		return admin.BakeHeightmap(ctx, kvstore.NewNamespace(cf, acct, ns.Ops, log), seed)

	case "upload-replays":
		raw, err := os.ReadFile(arg(0))
		if err != nil {
			return err
		}
		var ms []replays.Manifest
		if err := json.Unmarshal(raw, &ms); err != nil {
			return err
		}
		arch := replays.NewArchive(cfg.Cloudflare.APIToken, acct, ns.Replays, cfg.ReplayBatch, log)
		if err := arch.Upload(ctx, ms); err != nil {
			return err
		}
		for _, m := range ms {
			if err := arch.AddToIndex(ctx, m.MatchID, m.ReplayID); err != nil {
				return err
			}
		}
		return nil

	case "upgrade-profiles":
		raw, err := os.ReadFile(arg(0))
		if err != nil {
			return err
		}
		svc := profiles.New(kvstore.NewNamespace(cf, acct, ns.Profiles, log), 5*time.Minute, log)
		defer svc.Wait()
		return walker("profiles").Backfill(ctx, "profiles-v2", strings.Fields(string(raw)), func(ctx context.Context, id string) error {
			_, _, err := svc.Get(ctx, id)
			return err
		})
	}
	return fmt.Errorf("unknown command %q", cmd)
}
