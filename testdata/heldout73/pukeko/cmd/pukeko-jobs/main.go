// Command pukeko-jobs runs the platform's scheduled and admin jobs:
//
//	pukeko-jobs rollup <campaign>...
//	pukeko-jobs export <list> <id>
//	pukeko-jobs purge <list>
//	pukeko-jobs senders <sender>...
//	pukeko-jobs bloom < hashes.txt
package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	"pukeko/internal/export"
	"pukeko/internal/keys"
	"pukeko/internal/kvstore"
	"pukeko/internal/stats"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pukeko-jobs rollup|export|purge|senders|bloom ...")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "pukeko-jobs:", err)
		os.Exit(1)
	}
}

func open(env, name string) *kvstore.Namespace {
	return kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv(env), name)
}

func run(ctx context.Context, job string, args []string) error {
	st := &stats.Store{KV: open("KV_STATS", "stats"), Events: open("KV_EVENTS", "events"), Node: "jobs"}
	switch job {
	case "rollup":
		maxEvents, _ := strconv.Atoi(cmp.Or(os.Getenv("ROLLUP_MAX_EVENTS"), "20000"))
		sums := make(map[keys.CampaignID]stats.Summary, len(args))
		for _, c := range args {
			sum, err := st.Rollup(ctx, keys.CampaignID(c), maxEvents)
			if err != nil {
				return fmt.Errorf("rollup %s: %w", c, err)
			}
			sums[sum.Campaign] = sum
		}
		if time.Now().UTC().Day() == 1 {
			return st.Snapshot(ctx, time.Now().UTC(), sums)
		}
		return nil
	case "export", "purge":
		root, err := os.OpenRoot(cmp.Or(os.Getenv("EXPORT_DIR"), "/var/lib/pukeko/exports"))
		if err != nil {
			return err
		}
		defer root.Close()
		ex := &export.Exporter{Subs: open("KV_SUBSCRIBERS", "subscribers"), Jobs: open("KV_CACHE", "cache"), Root: root}
		if job == "purge" {
			n, err := ex.PurgeStalePending(ctx, keys.ListID(args[0]), 7*24*time.Hour, 50)
			fmt.Println("purged", n)
			return err
		}
		stat, err := ex.Export(ctx, keys.ListID(args[0]), args[1])
		fmt.Printf("exported %d rows to %s\n", stat.Rows, stat.File)
		return err
	case "senders":
		return rebuildSenderIndex(ctx, open("KV_CACHE", "cache"), args)
	case "bloom":
		var hashes []string
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			hashes = append(hashes, sc.Text())
		}
		return st.PublishSuppressionBloom(ctx, hashes)
	}
	return fmt.Errorf("unknown job %q", job)
}

// rebuildSenderIndex writes one record per verified sender and the sorted
// index the dashboard's sender picker reads, checkpointing the index as it
// goes so that an interrupted run leaves a usable prefix.
func rebuildSenderIndex(ctx context.Context, ns *kvstore.Namespace, senders []string) error {
	idx := make([]string, 0, len(senders))
	for _, s := range slices.Sorted(slices.Values(senders)) {
		rec := map[string]any{"sender": s, "verified": time.Now().UTC()}
		if err := ns.PutJSON(ctx, "senders:"+s, rec, nil); err != nil {
			return err
		}
		idx = append(idx, s)
		if err := ns.PutJSON(ctx, "senders:index", idx, nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
