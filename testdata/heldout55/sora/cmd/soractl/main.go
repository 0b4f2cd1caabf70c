// Command soractl is the operators' tool for the dispatch namespace.
//
//	soractl peek -prefix hold:
//	soractl get -key label:ABC
//	soractl export -prefix deliveries: > deliveries.jsonl
//	soractl purge -prefix reserved:lhr1:
//	soractl count -prefix order: -max-pages 20
//	soractl banner -text "Depots closed Monday"
//	soractl kill-sessions -courier c123 -namespace <session-ns>
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"sora/internal/config"
	"sora/internal/edgekv"
)

type options struct {
	prefix    string
	key       string
	text      string
	courier   string
	namespace string
	maxPages  int
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: soractl <peek|get|export|purge|count|banner|kill-sessions> [flags]")
		os.Exit(2)
	}
	var o options
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	fs.StringVar(&o.prefix, "prefix", "", "key prefix")
	fs.StringVar(&o.key, "key", "", "key")
	fs.StringVar(&o.text, "text", "", "banner text")
	fs.StringVar(&o.courier, "courier", "", "courier id")
	fs.StringVar(&o.namespace, "namespace", "", "namespace id (default: dispatch namespace)")
	fs.IntVar(&o.maxPages, "max-pages", 10, "stop after this many list pages")
	_ = fs.Parse(os.Args[2:])

	cfg := config.Load()
	nsID := cfg.DispatchNamespace
	if o.namespace != "" {
		nsID = o.namespace
	}
	ns := edgekv.New(os.Getenv("CLOUDFLARE_API_TOKEN"), cfg.AccountID, nsID)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	var err error
	switch os.Args[1] {
	case "peek":
		err = peek(ctx, ns, o)
	case "get":
		err = get(ctx, ns, o)
	case "export":
		err = export(ctx, ns, o)
	case "purge":
		err = purge(ctx, ns, o)
	case "count":
		err = count(ctx, ns, o)
	case "banner":
		err = banner(ctx, ns, o)
	case "kill-sessions":
		err = killSessions(ctx, ns, o)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// peek prints the first few keys under a prefix.
func peek(ctx context.Context, ns *edgekv.Namespace, o options) error {
	page, err := ns.Keys.List(ctx, ns.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(o.prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		fmt.Println(k.Name)
	}
	if page.ResultInfo.Cursors.After != "" {
		fmt.Println("…")
	}
	return nil
}

func get(ctx context.Context, ns *edgekv.Namespace, o options) error {
	res, _ := ns.Values.Get(ctx, ns.ID, o.key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(ns.AccountID)}) // EXPECT kvnull
	defer res.Body.Close()
	_, err := io.Copy(os.Stdout, res.Body)
	return err
}

// export writes every key under the prefix with its value as JSON lines.
func export(ctx context.Context, ns *edgekv.Namespace, o options) error {
	enc := json.NewEncoder(os.Stdout)
	iter := ns.Keys.ListAutoPaging(ctx, ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(o.prefix),
	})
	for iter.Next() {
		k := iter.Current()
		val, ok, err := ns.Read(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := enc.Encode(map[string]any{"key": k.Name, "value": string(val), "expiration": k.Expiration}); err != nil {
			return err
		}
	}
	return iter.Err()
}

// purge deletes the keys under a prefix.
func purge(ctx context.Context, ns *edgekv.Namespace, o options) error {
	if o.prefix == "" {
		return fmt.Errorf("purge needs -prefix")
	}
	page, err := ns.Keys.List(ctx, ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(o.prefix),
	})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	if len(names) == 0 {
		fmt.Println("nothing to purge")
		return nil
	}
	res, err := ns.BulkDelete(ctx, ns.ID, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(ns.AccountID), Body: names})
	if err != nil {
		return err
	}
	fmt.Printf("purged %.0f keys under %s\n", res.SuccessfulKeyCount, o.prefix)
	return nil
}

// count counts keys under a prefix, up to -max-pages pages.
func count(ctx context.Context, ns *edgekv.Namespace, o options) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(o.prefix),
		Limit:     cloudflare.F(1000.0),
	}
	total, pages := 0, 0
	for pages < o.maxPages {
		page, err := ns.Keys.List(ctx, ns.ID, params)
		if err != nil {
			return err
		}
		pages++
		total += len(page.Result)
		next := page.ResultInfo.Cursors.After
		if next == "" {
			fmt.Printf("%d keys\n", total)
			return nil
		}
		params.Cursor = cloudflare.F(next)
	}
	fmt.Printf("at least %d keys (stopped after %d pages)\n", total, pages)
	return nil
}

// banner sets the operations banner shown on the courier app.
func banner(ctx context.Context, ns *edgekv.Namespace, o options) error {
	_, err := ns.Values.Update(ctx, ns.ID, "ops:banner", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(ns.AccountID),
		Value:         cloudflare.F(o.text),
		ExpirationTTL: cloudflare.F(float64(24 * 60 * 60)),
	})
	return err
}

// killSessions signs a courier out of every handheld.
func killSessions(ctx context.Context, ns *edgekv.Namespace, o options) error {
	if o.courier == "" {
		return fmt.Errorf("kill-sessions needs -courier")
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F("sess:" + o.courier + ":"),
		Limit:     cloudflare.F(1000.0),
	}
	var names []string
	for range o.maxPages {
		page, err := ns.Keys.List(ctx, ns.ID, params)
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if page.ResultInfo.Cursors.After == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursors.After)
	}
	if len(names) == 0 {
		return nil
	}
	res, err := ns.BulkDelete(ctx, ns.ID, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(ns.AccountID), Body: names}) // EXPECT kvsession
	if err != nil {
		return err
	}
	fmt.Printf("ended %.0f sessions\n", res.SuccessfulKeyCount)
	return nil
}
