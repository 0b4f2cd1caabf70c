// Command labadmin is the operations tool for the portal's KV namespaces.
//
//	labadmin <command> [flags]
//
// Every command takes -account and -ns; the API token comes from
// CLOUDFLARE_API_TOKEN.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/corncrake/internal/config"
	"example.com/corncrake/internal/kvstore"
	"example.com/corncrake/internal/kvstore/cfkv"
	"example.com/corncrake/internal/sweep"
)

// catalogueURL is the LIS query behind the test catalogue page.
const catalogueURL = "https://lis.internal.example.com/api/v2/catalogue/panels?fields=code,name,specimen,container,volume_ml,stability_hours,turnaround_hours,price_cents,loinc,reference_low,reference_high,units,method,instrument,department&include=analytes,containers,reflex_rules,stability,price_history&analytes=NA,K,CL,HCO3,UREA,CREA,EGFR,GLU,HBA1C,CHOL,HDL,LDL,TRIG,ALT,AST,ALP,GGT,BILI,ALB,TP,CA,MG,PHOS,URIC,CRP,FERR,FE,TRF,B12,FOL,TSH,FT4,FT3,PSA,HCG,LH,FSH,E2,PROG,TEST,CORT,VITD,PTH,INS,CPEP,TROP,BNP,DDIM,INR,APTT,FIB&sort=department,code&page_size=500&locale=en-GB"

type env struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func connect(fs *flag.FlagSet, args []string) (*env, error) {
	account := fs.String("account", os.Getenv("CF_ACCOUNT_ID"), "account id")
	ns := fs.String("ns", "", "namespace id")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *ns == "" {
		return nil, errors.New("-ns is required")
	}
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		return nil, err
	}
	return &env{api: api, rc: cloudflare.AccountIdentifier(*account), ns: *ns}, nil
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "keys":
		err = cmdKeys(ctx, args)
	case "stats":
		err = cmdStats(ctx, args)
	case "dump":
		err = cmdDump(ctx, args)
	case "purge":
		err = cmdPurge(ctx, args)
	case "revoke-code":
		err = cmdRevokeCode(ctx, args)
	case "seed-tubes":
		err = cmdSeedTubes(ctx, args)
	case "banner":
		err = cmdBanner(ctx, args)
	case "warm-catalogue":
		err = cmdWarmCatalogue(ctx, args)
	case "quota":
		err = cmdQuota(ctx, args)
	case "ranges":
		err = cmdRanges(ctx, args)
	case "set-flag":
		err = cmdSetFlag(ctx, args)
	case "reindex":
		err = cmdReindex(ctx, args)
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "labadmin %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: labadmin keys|stats|dump|purge|revoke-code|seed-tubes|banner|warm-catalogue|quota|ranges|set-flag|reindex [flags]")
}

// keys prints one page of keys and the cursor for the next.
func cmdKeys(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("keys", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	cursor := fs.String("cursor", "", "cursor from a previous page")
	limit := fs.Int("limit", config.ListPageSize, "page size")
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: e.ns, Prefix: *prefix, Cursor: *cursor, Limit: *limit,
	})
	if err != nil {
		return err
	}
	for _, k := range resp.Result {
		fmt.Println(k.Name)
	}
	if resp.Cursor != "" {
		fmt.Fprintf(os.Stderr, "more: -cursor %s\n", resp.Cursor)
	}
	return nil
}

// stats counts keys per top-level prefix.
func cmdStats(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("stats", flag.ExitOnError)
	maxPages := fs.Int("max-pages", 25, "stop after this many pages")
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	params := cloudflare.ListWorkersKVsParams{
		NamespaceID: e.ns,
		Limit:       2000, // EXPECT kvlimits
	}
	for page := 0; page < *maxPages; page++ {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params)
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			p, _, _ := strings.Cut(k.Name, ":")
			counts[p]++
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	for p, n := range counts {
		fmt.Fprintf(tw, "%s\t%d\n", p, n)
	}
	return tw.Flush()
}

// dump writes every key under a prefix with its value as JSON lines, for
// restores and for the auditors' yearly extract.
func cmdDump(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dump", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix")
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	params := cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: *prefix, Limit: config.ListPageSize}
	for {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			raw, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				return fmt.Errorf("get %s: %w", k.Name, err)
			}
			if err := enc.Encode(map[string]any{"key": k.Name, "value": string(raw), "expiration": k.Expiration}); err != nil {
				return err
			}
		}
		if resp.Cursor == "" {
			return nil
		}
		params.Cursor = resp.Cursor
	}
}

// purge deletes keys under a prefix, a bounded number of pages per run.
func cmdPurge(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ExitOnError)
	prefix := fs.String("prefix", "", "key prefix (required)")
	maxPages := fs.Int("max-pages", 10, "stop after this many pages")
	dryRun := fs.Bool("n", false, "print what would be deleted")
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	if *prefix == "" {
		return errors.New("-prefix is required")
	}
	params := cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: *prefix, Limit: config.ListPageSize}
	for page := 0; page < *maxPages; page++ {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if *dryRun {
			fmt.Println(strings.Join(keys, "\n"))
		} else if len(keys) > 0 {
			if _, err := e.api.DeleteWorkersKVEntries(ctx, e.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: e.ns, Keys: keys}); err != nil {
				return err
			}
		}
		if resp.Cursor == "" {
			return nil
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Cursor: resp.Cursor, Limit: config.ListPageSize}
	}
	fmt.Fprintln(os.Stderr, "stopped at -max-pages; run again to continue")
	return nil
}

// revoke-code invalidates a printed access code, e.g. when a slip was handed
// to another patient.
func cmdRevokeCode(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("revoke-code", flag.ExitOnError)
	code := fs.String("code", "", "access code")
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	_, err = e.api.DeleteWorkersKVEntry(ctx, e.rc, cloudflare.DeleteWorkersKVEntryParams{ // EXPECT kvsession
		NamespaceID: e.ns,
		Key:         "otc:" + strings.ToUpper(*code),
	})
	return err
}

// tubeLot is the size of a pre-barcoded tube lot from the supplier.
const tubeLot = 12000

// seed-tubes registers a new lot of pre-barcoded tubes as unassigned.
func cmdSeedTubes(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed-tubes", flag.ExitOnError)
	first := fs.Int("first", 0, "first barcode number of the lot")
	lot := fs.String("lot", "", "supplier lot number")
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	kvs := make([]*cloudflare.WorkersKVPair, 0, tubeLot)
	for i := 0; i < tubeLot; i++ {
		kvs = append(kvs, &cloudflare.WorkersKVPair{
			Key:      fmt.Sprintf("tube:%010d", *first+i),
			Value:    "unassigned",
			Metadata: map[string]string{"lot": *lot},
		})
	}
	_, err = e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: kvs}) // EXPECT kvlimits
	return err
}

// banner sets the maintenance banner shown on the portal until -until.
func cmdBanner(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("banner", flag.ExitOnError)
	text := fs.String("text", "", "banner text")
	until := fs.String("until", "", "RFC 3339 time at which the banner disappears")
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	end, err := time.Parse(time.RFC3339, *until)
	if err != nil {
		return err
	}
	_, err = e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: e.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "portal:banner",
			Value:      *text,
			Expiration: int(end.UnixMilli()), // EXPECT kvttl
		}},
	})
	return err
}

// warm-catalogue copies the LIS test catalogue into KV ahead of a release.
func cmdWarmCatalogue(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("warm-catalogue", flag.ExitOnError)
	file := fs.String("f", "catalogue.json", "catalogue export from the LIS")
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	doc, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	_, err = e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: e.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           "lis:catalogue:" + catalogueURL, // EXPECT kvlimits
			Value:         string(doc),
			ExpirationTTL: int(config.SummaryCacheTTL), // EXPECT kvttl
		}, {
			Key:           "lis:catalogue:version",
			Value:         time.Now().UTC().Format(time.RFC3339),
			ExpirationTTL: int(config.ReferenceTTL.Seconds()),
		}},
	})
	return err
}

// quota shows how many billing exports a clinic has used this month.
func cmdQuota(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("quota", flag.ExitOnError)
	clinic := fs.String("clinic", "", "clinic id")
	month := fs.String("month", time.Now().UTC().Format("2006-01"), "billing month")
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	raw, _ := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: "quota:exports:" + *clinic + ":" + *month}) // EXPECT kvnull
	used, _ := strconv.Atoi(string(raw))
	fmt.Printf("%s %s: %d exports used\n", *clinic, *month, used)
	return nil
}

// ranges prints the reference ranges the portal currently serves.
func cmdRanges(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ranges", flag.ExitOnError)
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	raw, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: "reference-ranges:current"})
	if err != nil {
		return err
	}
	if len(raw) > 0 { // EXPECT kvnull
		_, err = os.Stdout.Write(raw)
		return err
	}
	fmt.Fprintln(os.Stderr, "no reference ranges cached; the refresher has not run yet")
	return nil
}

// set-flag turns a feature flag on or off for one clinic.
func cmdSetFlag(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("set-flag", flag.ExitOnError)
	clinic := fs.String("clinic", "", "clinic id")
	name := fs.String("flag", "", "flag name")
	on := fs.Bool("on", true, "enable the flag")
	e, err := connect(fs, args)
	if err != nil {
		return err
	}
	key := "flags:" + *clinic
	flags := map[string]bool{}
	raw, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &flags); err != nil {
			return err
		}
	case !errors.As(err, &nf):
		return err
	}
	flags[*name] = *on
	out, _ := json.Marshal(flags)
	_, err = e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: key, Value: out}) // EXPECT kvrace
	return err
}

// reindex rebuilds the per-patient result index of one region.
func cmdReindex(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	dsn := fs.String("dsn", "", "region store DSN")
	account := fs.String("account", os.Getenv("CF_ACCOUNT_ID"), "account id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openDSN(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	n, err := sweep.Reindex(ctx, st)
	fmt.Printf("%d patient indexes written\n", n)
	return err
}

func openDSN(ctx context.Context, dsn, account string) (kvstore.Store, error) {
	reg := kvstore.NewRegistry()
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		return nil, err
	}
	reg.Register("kv", cfkv.Constructor(api, account))
	return reg.Open(ctx, dsn)
}
