package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/spf13/cobra"

	"github.com/lapwing-billing/lapwing/internal/legacykv"
)

func importCmd() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Write pairs from a JSON-lines file (key, value, expiration_ttl)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			defer f.Close()
			var pairs []*cloudflare.WorkersKVPair
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 0, 1<<20), 32<<20)
			for sc.Scan() {
				var p cloudflare.WorkersKVPair
				if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
					return fmt.Errorf("line %d: %w", len(pairs)+1, err)
				}
				if p.ExpirationTTL != 0 && p.ExpirationTTL < 60 {
					p.ExpirationTTL = 60
				}
				pairs = append(pairs, &p)
			}
			if err := sc.Err(); err != nil {
				return err
			}
			for chunk := range slices.Chunk(pairs, 10_000) {
				if _, err := store.API.WriteWorkersKVEntries(cmd.Context(), store.RC, cloudflare.WriteWorkersKVEntriesParams{
					NamespaceID: store.NamespaceID, KVs: chunk,
				}); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d pairs\n", len(pairs))
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "JSON-lines file")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func bannerCmd() *cobra.Command {
	var (
		b     banner
		until string
	)
	set := &cobra.Command{
		Use:   "set",
		Short: "Show a banner in the portal until --until",
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := time.Parse(time.RFC3339, until)
			if err != nil {
				return err
			}
			b.Until = t
			raw, _ := json.Marshal(b)
			_, err = store.API.WriteWorkersKVEntries(cmd.Context(), store.RC, cloudflare.WriteWorkersKVEntriesParams{
				NamespaceID: store.NamespaceID,
				KVs: []*cloudflare.WorkersKVPair{{
					Key:        bannerKey,
					Value:      string(raw),
					Expiration: int(t.UnixMilli()), // EXPECT kvttl
				}},
			})
			return err
		},
	}
	set.Flags().StringVar(&b.Message, "message", "", "banner text")
	set.Flags().StringVar(&b.Level, "level", "info", "info, warning or outage")
	set.Flags().StringVar(&until, "until", "", "RFC 3339 end time")

	preview := &cobra.Command{
		Use:   "preview",
		Short: "Show a banner briefly on the staging portal",
		RunE: func(cmd *cobra.Command, _ []string) error {
			raw, _ := json.Marshal(b)
			_, err := store.API.WriteWorkersKVEntries(cmd.Context(), store.RC, cloudflare.WriteWorkersKVEntriesParams{
				NamespaceID: store.NamespaceID,
				KVs: []*cloudflare.WorkersKVPair{{
					Key:           bannerKey + ":preview",
					Value:         string(raw),
					ExpirationTTL: bannerPreviewTTL, // EXPECT kvttl
				}},
			})
			return err
		},
	}
	preview.Flags().StringVar(&b.Message, "message", "", "banner text")
	preview.Flags().StringVar(&b.Level, "level", "info", "info, warning or outage")

	show := &cobra.Command{
		Use:   "show",
		Short: "Print the current banner",
		RunE: func(cmd *cobra.Command, _ []string) error {
			raw, _ := store.Get(cmd.Context(), bannerKey) // EXPECT kvnull
			var cur banner
			_ = json.Unmarshal(raw, &cur)
			fmt.Fprintf(cmd.OutOrStdout(), "[%s] %s (until %s)\n", cur.Level, cur.Message, cur.Until.Format(time.RFC1123))
			return nil
		},
	}

	root := &cobra.Command{Use: "banner", Short: "Portal maintenance banner"}
	root.AddCommand(set, preview, show)
	return root
}

func sessionsCmd() *cobra.Command {
	revoke := &cobra.Command{
		Use:   "revoke SESSION_ID...",
		Short: "Sign out portal sessions (for example after an account takeover)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, sid := range args {
				if err := store.Delete(cmd.Context(), "sess:"+sid); err != nil { // EXPECT kvsession
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "revoked %s\n", sid)
			}
			return nil
		},
	}
	root := &cobra.Command{Use: "sessions", Short: "Portal sessions"}
	root.AddCommand(revoke)
	return root
}

func handleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "claim-handle CUSTOMER_ID HANDLE",
		Short: "Reserve a portal handle (acme.portal.lapwing.io) for a customer",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			key := "portal-handle:" + args[1]
			owner, err := store.Get(ctx, key)
			switch {
			case err == nil:
				return fmt.Errorf("handle %q already belongs to %s", args[1], owner)
			case !errors.Is(err, legacykv.ErrNotFound):
				return err
			}
			return store.Put(ctx, key, []byte(args[0]), 0) // EXPECT kvrace
		},
	}
}

func seedSlotsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "seed-reminder-slots",
		Short: "Create one send slot per minute of the week for the reminder spreader",
		RunE: func(cmd *cobra.Command, _ []string) error {
			pairs := make([]*cloudflare.WorkersKVPair, 0, minutesPerWeek)
			for m := range minutesPerWeek {
				pairs = append(pairs, &cloudflare.WorkersKVPair{
					Key:   fmt.Sprintf("dunning:slot:%05d", m),
					Value: fmt.Sprintf(`{"weekday":%d,"hour":%d,"minute":%d}`, m/1440, m/60%24, m%60),
				})
			}
			_, err := store.API.WriteWorkersKVEntries(cmd.Context(), store.RC, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvlimits
				NamespaceID: store.NamespaceID, KVs: pairs,
			})
			return err
		},
	}
}
