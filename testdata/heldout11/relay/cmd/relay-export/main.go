// Command relay-export writes every key of one workspace to a JSON-lines
// file, for customers leaving the service and for legal holds.
//
//	relay-export -config relay.json -workspace ws_123 -out ws_123.jsonl
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/shared"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/config"
	"example.com/relay/internal/history"
	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/store"
	"example.com/relay/internal/store/cfkv"
)

const exportNotice = "This export was produced at the request of the workspace owner or under a legal hold. " +
	"It contains messages, edit history, channel membership and settings of the workspace named in the manifest, " +
	"and may contain personal data of people other than the requester. Handle it in line with the Relay Data " +
	"Processing Addendum, section 7 (Transfers and Exports): store it encrypted at rest, restrict access to the " +
	"people named in the export ticket, do not forward it outside the requesting organisation, and delete it within " +
	"thirty days of delivery unless a legal hold requires otherwise. Message bodies are exported as the authors last " +
	"saved them; earlier versions are included only where edit history was retained under the workspace's retention " +
	"setting. Deleted messages, direct messages of deactivated guests and content removed by trust and safety are " +
	"not included. Attachments are exported as links that expire seven days after the export completes. Questions " +
	"about this export go to privacy@relay.example.com with the export id from this manifest; do not reply to the " +
	"delivery e-mail. Relay staff will never ask you for the export file itself or for the download link."

type record struct {
	Key        string `json:"key"`
	Value      string `json:"value"`
	Expiration int64  `json:"expiration,omitempty"`
	Metadata   any    `json:"metadata,omitempty"`
}

type manifest struct {
	Workspace string         `json:"workspace"`
	Finished  time.Time      `json:"finished"`
	Counts    map[string]int `json:"counts"`
	Operator  string         `json:"operator"`
}

func main() {
	var (
		cfgPath  = flag.String("config", os.Getenv("RELAY_CONFIG"), "relay config file")
		wsID     = flag.String("workspace", "", "workspace id to export")
		out      = flag.String("out", "", "output file (default stdout)")
		bulk     = flag.Bool("bulk", false, "read values 100 at a time with bulk reads")
		maxPages = flag.Int("max-pages", 500, "stop after this many list pages per prefix (bulk mode)")
	)
	flag.Parse()
	if *wsID == "" {
		fmt.Fprintln(os.Stderr, "relay-export: -workspace is required")
		os.Exit(2)
	}
	if err := run(*cfgPath, *wsID, *out, *bulk, *maxPages); err != nil {
		fmt.Fprintln(os.Stderr, "relay-export:", err)
		os.Exit(1)
	}
}

func run(cfgPath, wsID, outPath string, bulk bool, maxPages int) error {
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()

	ns := cfns.Open(cfns.NewClient(cfg.APIToken, ""), cfg.AccountID, cfg.Namespaces.Main)
	var w io.Writer = os.Stdout
	if outPath != "" {
		f, err := os.Create(outPath)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)

	m := manifest{Workspace: wsID, Counts: map[string]int{}, Operator: os.Getenv("USER")}
	prefixes := []string{
		kvkey.Workspaces.Child(wsID).String(),
		kvkey.Channels.Child(wsID).Prefix(),
		history.Root.Child(wsID).Prefix(),
		kvkey.Presence.Child(wsID, "custom").Prefix(),
	}
	for _, p := range prefixes {
		var n int
		if bulk {
			n, err = exportBulk(ctx, ns, p, cfg.ExportPageSize, maxPages, enc)
		} else {
			n, err = exportKeys(ctx, ns, p, cfg.ExportPageSize, enc)
		}
		m.Counts[p] = n
		if err != nil {
			return fmt.Errorf("export %s: %w", p, err)
		}
	}
	m.Finished = time.Now().UTC()
	return recordManifest(ctx, ns, m)
}

// exportKeys walks every key under prefix and writes it with its value.
func exportKeys(ctx context.Context, ns cfns.Namespace, prefix string, pageSize int, enc *json.Encoder) (int, error) {
	iter := ns.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(pageSize)),
	})
	n := 0
	for iter.Next() {
		k := iter.Current()
		res, err := ns.Client.KV.Namespaces.Values.Get(ctx, ns.ID, k.Name, kv.NamespaceValueGetParams{ // EXPECT kvlist
			AccountID: cloudflare.F(ns.AccountID),
		})
		if cfns.IsNotFound(err) {
			continue
		}
		if err != nil {
			return n, err
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return n, err
		}
		if err := enc.Encode(record{Key: k.Name, Value: string(b), Expiration: int64(k.Expiration), Metadata: k.Metadata}); err != nil {
			return n, err
		}
		n++
	}
	return n, iter.Err()
}

// exportBulk lists at most maxPages pages under prefix and reads the values
// with bulk reads of 100 keys.
func exportBulk(ctx context.Context, ns cfns.Namespace, prefix string, pageSize, maxPages int, enc *json.Encoder) (int, error) {
	n := 0
	cursor := ""
	for page := 0; page < maxPages; page++ {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(ns.AccountID),
			Prefix:    cloudflare.F(prefix),
			Limit:     cloudflare.F(float64(pageSize)),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		res, err := ns.Client.KV.Namespaces.Keys.List(ctx, ns.ID, params)
		if err != nil {
			return n, err
		}
		for start := 0; start < len(res.Result); start += 100 {
			chunk := res.Result[start:min(start+100, len(res.Result))]
			names := make([]string, len(chunk))
			for i, k := range chunk {
				names[i] = k.Name
			}
			vals, err := bulkGet(ctx, ns, names)
			if err != nil {
				return n, err
			}
			for _, k := range chunk {
				v, ok := vals[k.Name]
				if !ok {
					continue
				}
				if err := enc.Encode(record{Key: k.Name, Value: v, Expiration: int64(k.Expiration), Metadata: k.Metadata}); err != nil {
					return n, err
				}
				n++
			}
		}
		if cursor = res.ResultInfo.Cursor; cursor == "" {
			return n, nil
		}
	}
	return n, fmt.Errorf("more than %d pages under %s; raise -max-pages", maxPages, prefix)
}

func bulkGet(ctx context.Context, ns cfns.Namespace, names []string) (map[string]string, error) {
	res, err := ns.Client.KV.Namespaces.BulkGet(ctx, ns.ID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(ns.AccountID),
		Keys:      cloudflare.F(names),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if str, ok := v.(shared.UnionString); ok {
				out[k] = string(str)
			}
		}
	}
	return out, nil
}

// recordManifest stores the manifest next to the workspace so the admin
// console can list past exports.
func recordManifest(ctx context.Context, ns cfns.Namespace, m manifest) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	st := cfkv.New(ns, store.PutOptions{})
	key := kvkey.Blob("exports", m.Workspace, m.Finished.Format("20060102T150405Z")).String()
	return st.Put(ctx, key, b, store.WithTTL(30*24*time.Hour),
		store.WithMetadata(map[string]any{"notice": exportNotice, "operator": m.Operator})) // EXPECT kvlimits
}
