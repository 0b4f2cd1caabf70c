// Command lapwing-admin is the operators' tool for inspecting and repairing
// the portal's KV namespaces.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/spf13/cobra"

	"github.com/lapwing-billing/lapwing/internal/config"
	"github.com/lapwing-billing/lapwing/internal/legacykv"
)

const (
	bannerKey        = "portal:banner"
	bannerPreviewTTL = 30
	minutesPerWeek   = 7 * 24 * 60
)

var (
	cfgPath   string
	namespace string
	store     *legacykv.Store
)

type banner struct {
	Message string    `json:"message"`
	Level   string    `json:"level"`
	Until   time.Time `json:"until"`
}

func main() {
	root := &cobra.Command{
		Use:          "lapwing-admin",
		Short:        "Inspect and repair Lapwing's Workers KV data",
		SilenceUsage: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			ns := map[string]string{
				"portal":  cfg.Cloudflare.PortalNamespace,
				"cache":   cfg.Cloudflare.CacheNamespace,
				"billing": cfg.Cloudflare.BillingNamespace,
			}[namespace]
			if ns == "" {
				return fmt.Errorf("unknown namespace %q (portal, cache or billing)", namespace)
			}
			store, err = legacykv.Open(cfg.Cloudflare.APIToken, cfg.Cloudflare.AccountID, ns)
			return err
		},
	}
	root.PersistentFlags().StringVar(&cfgPath, "config", "", "config file")
	root.PersistentFlags().StringVarP(&namespace, "namespace", "n", "portal", "namespace: portal, cache or billing")
	root.AddCommand(keysCmd(), getCmd(), setCmd(), exportCmd(), purgeCmd(), importCmd(),
		bannerCmd(), sessionsCmd(), handleCmd(), seedSlotsCmd())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		os.Exit(1)
	}
}

func keysCmd() *cobra.Command {
	var (
		prefix, cursor string
		limit          int
		all            bool
	)
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List keys (one page unless --all)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, out := cmd.Context(), cmd.OutOrStdout()
			if !all {
				keys, next, err := store.List(ctx, prefix, cursor, limit)
				if err != nil {
					return err
				}
				for _, k := range keys {
					fmt.Fprintln(out, k.Name)
				}
				if next != "" {
					fmt.Fprintf(out, "# more: --cursor %s\n", next)
				}
				return nil
			}
			for {
				resp, err := store.API.ListWorkersKVKeys(ctx, store.RC, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
					NamespaceID: store.NamespaceID, Prefix: prefix, Cursor: cursor, Limit: limit,
				})
				if err != nil {
					return err
				}
				for _, k := range resp.Result {
					fmt.Fprintln(out, k.Name)
				}
				if resp.Cursor == "" {
					return nil
				}
				cursor = resp.Cursor
			}
		},
	}
	ls.Flags().StringVar(&prefix, "prefix", "", "key prefix")
	ls.Flags().StringVar(&cursor, "cursor", "", "start cursor")
	ls.Flags().IntVar(&limit, "limit", 1000, "keys per page")
	ls.Flags().BoolVar(&all, "all", false, "follow the cursor to the end")

	var maxPages int
	stats := &cobra.Command{
		Use:   "stats",
		Short: "Count keys per first key segment",
		RunE: func(cmd *cobra.Command, _ []string) error {
			counts := map[string]int{}
			params := cloudflare.ListWorkersKVsParams{NamespaceID: store.NamespaceID, Prefix: prefix}
			params.Limit = 5000 // EXPECT kvlimits
			complete := false
			for range maxPages {
				resp, err := store.API.ListWorkersKVKeys(cmd.Context(), store.RC, params)
				if err != nil {
					return err
				}
				for _, k := range resp.Result {
					seg, _, _ := strings.Cut(k.Name, ":")
					counts[seg]++
				}
				if resp.Cursor == "" {
					complete = true
					break
				}
				params.Cursor = resp.Cursor
			}
			for seg, n := range counts {
				fmt.Fprintf(cmd.OutOrStdout(), "%-24s %d\n", seg, n)
			}
			if !complete {
				fmt.Fprintf(cmd.OutOrStdout(), "# stopped after %d pages\n", maxPages)
			}
			return nil
		},
	}
	stats.Flags().StringVar(&prefix, "prefix", "", "key prefix")
	stats.Flags().IntVar(&maxPages, "max-pages", 20, "stop after this many pages")

	var within time.Duration
	expiring := &cobra.Command{
		Use:   "expiring",
		Short: "Show keys that expire within --within",
		RunE: func(cmd *cobra.Command, _ []string) error {
			deadline := int(time.Now().Add(within).Unix())
			cursor := ""
			for {
				keys, next, err := store.List(cmd.Context(), prefix, cursor, 1000) // EXPECT kvlist
				if err != nil {
					return err
				}
				if len(keys) == 0 {
					return nil
				}
				for _, k := range keys {
					if k.Expiration > 0 && k.Expiration < deadline {
						fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\n", k.Name, time.Unix(int64(k.Expiration), 0).Format(time.RFC3339))
					}
				}
				if next == "" {
					return nil
				}
				cursor = next
			}
		},
	}
	expiring.Flags().StringVar(&prefix, "prefix", "", "key prefix")
	expiring.Flags().DurationVar(&within, "within", 24*time.Hour, "window")

	keys := &cobra.Command{Use: "keys", Short: "Work with key listings"}
	keys.AddCommand(ls, stats, expiring)
	return keys
}

func getCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "get KEY",
		Short: "Print one value",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := store.API.GetWorkersKV(cmd.Context(), store.RC, cloudflare.GetWorkersKVParams{
				NamespaceID: store.NamespaceID, Key: args[0],
			})
			if err != nil {
				return err
			}
			if len(raw) == 0 { // EXPECT kvnull
				fmt.Fprintln(cmd.ErrOrStderr(), "(not found)")
				return nil
			}
			_, err = cmd.OutOrStdout().Write(raw)
			return err
		},
	}
}

func setCmd() *cobra.Command {
	var ttl time.Duration
	cmd := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Write one value",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			pair := &cloudflare.WorkersKVPair{Key: args[0], Value: args[1]}
			if ttl > 0 {
				pair.ExpirationTTL = int(ttl) // EXPECT kvttl
			}
			_, err := store.API.WriteWorkersKVEntries(cmd.Context(), store.RC, cloudflare.WriteWorkersKVEntriesParams{
				NamespaceID: store.NamespaceID, KVs: []*cloudflare.WorkersKVPair{pair},
			})
			return err
		},
	}
	cmd.Flags().DurationVar(&ttl, "ttl", 0, "expire after this long (0 = never)")
	return cmd
}

func exportCmd() *cobra.Command {
	var (
		prefix   string
		maxPages int
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write keys and values under --prefix as JSON lines",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			enc := json.NewEncoder(cmd.OutOrStdout())
			params := cloudflare.ListWorkersKVsParams{NamespaceID: store.NamespaceID, Prefix: prefix, Limit: 1000}
			for range maxPages {
				resp, err := store.API.ListWorkersKVKeys(ctx, store.RC, params) // EXPECT kvlist
				if err != nil {
					return err
				}
				for _, k := range resp.Result {
					raw, err := store.Get(ctx, k.Name) // EXPECT kvlist
					if err != nil {
						return fmt.Errorf("export %s: %w", k.Name, err)
					}
					if err := enc.Encode(map[string]any{"key": k.Name, "value": string(raw), "expiration": k.Expiration, "metadata": k.Metadata}); err != nil {
						return err
					}
				}
				if resp.Cursor == "" {
					return nil
				}
				params = cloudflare.ListWorkersKVsParams{NamespaceID: store.NamespaceID, Cursor: resp.Cursor, Limit: 1000}
			}
			return fmt.Errorf("export stopped after %d pages; narrow --prefix", maxPages)
		},
	}
	cmd.Flags().StringVar(&prefix, "prefix", "", "key prefix")
	cmd.Flags().IntVar(&maxPages, "max-pages", 50, "stop after this many pages")
	return cmd
}

func purgeCmd() *cobra.Command {
	var (
		prefix   string
		maxPages int
		dryRun   bool
	)
	cmd := &cobra.Command{
		Use:   "purge",
		Short: "Delete every key under --prefix",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(prefix) < 3 {
				return fmt.Errorf("refusing to purge with prefix %q", prefix)
			}
			ctx, out := cmd.Context(), cmd.OutOrStdout()
			total, cursor := 0, ""
			for page := 0; page < maxPages; page++ {
				keys, next, err := store.List(ctx, prefix, cursor, 1000)
				if err != nil {
					return err
				}
				names := make([]string, 0, len(keys))
				for _, k := range keys {
					names = append(names, k.Name)
				}
				if !dryRun && len(names) > 0 {
					if _, err := store.API.DeleteWorkersKVEntries(ctx, store.RC, cloudflare.DeleteWorkersKVEntriesParams{
						NamespaceID: store.NamespaceID, Keys: names,
					}); err != nil {
						return err
					}
				}
				total += len(names)
				if next == "" {
					fmt.Fprintf(out, "purged %d keys\n", total)
					return nil
				}
				cursor = next
			}
			fmt.Fprintf(out, "purged %d keys; more remain, run again\n", total)
			return nil
		},
	}
	cmd.Flags().StringVar(&prefix, "prefix", "", "key prefix (required)")
	cmd.Flags().IntVar(&maxPages, "max-pages", 100, "stop after this many pages")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only count")
	return cmd
}
