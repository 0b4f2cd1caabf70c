// Command quilladmin runs operator tasks: quilladmin <command> [flags].
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/quill/internal/archive"
	"example.com/quill/internal/cfkv"
	"example.com/quill/internal/config"
	"example.com/quill/internal/entitlements"
	"example.com/quill/internal/keys"
	"example.com/quill/internal/legacy/importer"
	"example.com/quill/internal/storage"
)

type command struct {
	help string
	run  func(ctx context.Context, env *env, args []string) error
}

type env struct {
	cfg *config.Config
	cf  *cloudflare.Client
}

var commands = map[string]command{
	"import":  {"load a Quill 1 export into a namespace", runImport},
	"export":  {"write every key of a namespace to stdout", runExport},
	"reindex": {"rebuild a tenant's archive index from its issue keys", runReindex},
	"notice":  {"stamp a tenant namespace with the archive notice", runNotice},
	"claim":   {"reserve a publication handle for a tenant", runClaim},
	"catalog": {"publish a tenant's paid plans from a JSON file", runCatalog},
	"bench":   {"time a large write to a scratch namespace", runBench},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: quilladmin <command> [flags]")
	for name, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-13s %s\n", name, c.help)
	}
}

func main() {
	var cmd command
	if len(os.Args) > 1 {
		cmd = commands[os.Args[1]]
	}
	if cmd.run == nil {
		usage()
		os.Exit(2)
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	config.Store(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := cmd.run(ctx, &env{cfg: cfg, cf: cfkv.MustClient()}, os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "quilladmin %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func (e *env) namespace(tenant string) string {
	if ns, ok := e.cfg.Namespaces[tenant]; ok {
		return ns
	}
	return e.cfg.DefaultNamespace
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	file := fs.String("file", "", "export file (JSON lines)")
	tenant := fs.String("tenant", "", "tenant to import into")
	verify := fs.Int("verify", 50, "records to read back afterwards")
	_ = fs.Parse(args)
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	var recs []importer.Record
	for dec := json.NewDecoder(f); dec.More(); {
		var rec importer.Record
		if err := dec.Decode(&rec); err != nil {
			return fmt.Errorf("record %d: %w", len(recs)+1, err)
		}
		recs = append(recs, rec)
	}
	im := importer.New(e.cfg.APIToken, e.cfg.AccountID, e.namespace(*tenant))
	n, err := im.Import(ctx, recs)
	fmt.Printf("imported %d of %d records\n", n, len(recs))
	if err == nil {
		var bad []string
		bad, err = im.Verify(ctx, recs[:min(*verify, len(recs))])
		fmt.Printf("%d of the first %d records differ: %v\n", len(bad), *verify, bad)
	}
	return err
}

func runExport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant to export")
	prefix := fs.String("prefix", "", "only keys with this prefix")
	_ = fs.Parse(args)
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.cfg.AccountID), Prefix: cloudflare.F(*prefix)}
	enc := json.NewEncoder(os.Stdout)
	iter := e.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, e.namespace(*tenant), params) // EXPECT kvlist
	for iter.Next() {
		k := iter.Current()
		if err := enc.Encode(map[string]any{"key": k.Name, "expiration": k.Expiration, "meta": k.Metadata}); err != nil {
			return err
		}
	}
	return iter.Err()
}

func runReindex(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant whose index to rebuild")
	_ = fs.Parse(args)
	ns := e.namespace(*tenant)
	var refs []archive.Ref
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.cfg.AccountID),
		Prefix:    cloudflare.F(keys.IssuePrefix(*tenant)),
	}
	for {
		page, err := e.cf.KV.Namespaces.Keys.List(ctx, ns, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			var iss keys.Issue
			if iss.UnmarshalText([]byte(k.Name)) != nil {
				continue
			}
			m, _ := k.Metadata.(map[string]any)
			title, _ := m["title"].(string)
			pub, _ := m["published"].(float64)
			refs = append(refs, archive.Ref{Number: iss.Number, Title: title, Published: time.Unix(int64(pub), 0).UTC()})
		}
		next := page.ResultInfo.Cursors.After
		if next == "" {
			break
		}
		params.Cursor = cloudflare.F(next)
	}
	slices.SortFunc(refs, func(a, b archive.Ref) int { return b.Number - a.Number })
	b, _ := json.Marshal(refs)
	_, err := e.cf.KV.Namespaces.Values.Update(ctx, ns, keys.ArchiveIndex(*tenant), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(e.cfg.AccountID),
		Value:     cloudflare.F(string(b)),
	})
	fmt.Printf("indexed %d issues\n", len(refs))
	return err
}

// archiveNotice is shown at the foot of every archive page.
const archiveNotice = "This archive is provided by the publisher for personal, non-commercial reading. " +
	"Issues are reproduced as they were sent and may contain offers, prices, links and availability " +
	"information that were accurate only on the date of sending; neither the publisher nor Quill " +
	"accepts responsibility for changes since. Sponsored sections are marked as such and reflect the " +
	"views of the sponsor. Paid-only issues remain the copyright of their authors and may not be " +
	"redistributed, republished, scraped, summarised by automated systems or used to train machine " +
	"learning models without written permission. If you believe an archived issue contains personal " +
	"data about you that should be removed, or that it infringes your rights, write to the publisher " +
	"at the address in the issue footer; we will respond within thirty days and may remove or redact " +
	"the issue while the request is considered. Links in archived issues are rewritten to pass through " +
	"Quill's click tracker only where the reader was subscribed at the time; archive visitors are not " +
	"tracked. Readers in the European Economic Area, the United Kingdom and California have additional " +
	"rights described in the privacy notice linked from the publication's home page."

func runNotice(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("notice", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant to stamp")
	_ = fs.Parse(args)
	_, err := e.cf.KV.Namespaces.Values.Update(ctx, e.namespace(*tenant), keys.Join("t", *tenant, "notice"), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(e.cfg.AccountID),
		Value:     cloudflare.F(time.Now().UTC().Format(time.DateOnly)),
		Metadata:  cloudflare.F[any](map[string]any{"notice": archiveNotice, "v": 2}), // EXPECT kvlimits
	})
	return err
}

func runClaim(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("claim", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant claiming the handle")
	handle := fs.String("handle", "", "publication handle, e.g. field-notes")
	_ = fs.Parse(args)
	if *tenant == "" || *handle == "" {
		return errors.New("-tenant and -handle are required")
	}
	key := keys.Join("handle", strings.ToLower(*handle))
	resp, err := e.cf.KV.Namespaces.Values.Get(ctx, e.cfg.DefaultNamespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(e.cfg.AccountID),
	})
	if err == nil {
		resp.Body.Close()
		return fmt.Errorf("handle %q is taken", *handle)
	}
	if !cfkv.IsNotFound(err) {
		return err
	}
	_, err = e.cf.KV.Namespaces.Values.Update(ctx, e.cfg.DefaultNamespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(e.cfg.AccountID),
		Value:     cloudflare.F(*tenant),
	})
	return err
}

func runCatalog(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("catalog", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant whose plans to publish")
	file := fs.String("file", "plans.json", "JSON array of plans")
	_ = fs.Parse(args)
	var plans []entitlements.Plan
	raw, err := os.ReadFile(*file)
	if err == nil {
		err = json.Unmarshal(raw, &plans)
	}
	if err != nil {
		return err
	}
	ns := cfkv.Open(e.cf, e.cfg.AccountID, e.namespace(*tenant))
	return entitlements.PublishCatalog(ctx, storage.NewBucket(ns), plans)
}

// benchValueSize approximates the largest issue bundle ever sent.
const benchValueSize = 32 << 20

func runBench(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	ns := fs.String("ns", "", "scratch namespace ID")
	_ = fs.Parse(args)
	if *ns == "" {
		return errors.New("-ns is required")
	}
	start := time.Now()
	_, err := e.cf.KV.Namespaces.Values.Update(ctx, *ns, "bench:bundle", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(e.cfg.AccountID),
		Value:         cloudflare.F(strings.Repeat("q", benchValueSize)), // EXPECT kvlimits
		ExpirationTTL: cloudflare.F(3600.0),
	})
	fmt.Printf("put %d bytes in %s\n", benchValueSize, time.Since(start))
	return err
}
