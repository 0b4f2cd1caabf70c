// Command pintail-admin is the operator's tool for the KV namespaces behind
// Pintail: inspect keys, sweep stale projections, seed promotion codes.
//
//	pintail-admin [flags] get|set|peek|sweep|prune|gen-codes|terms|retag|dump [args]
package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/pintail-eats/pintail/internal/cfkv"
)

const promoTerms = "These terms apply to every Pintail promotion code. A code may be redeemed once per customer " +
	"account and cannot be combined with any other offer, loyalty reward or staff discount. Codes are valid only on " +
	"orders from participating restaurants shown in the app at the time of ordering and only for delivery addresses " +
	"inside the service area. The discount applies to food and drink subtotal before delivery fee, service fee, " +
	"small-order fee and tip, and never reduces the order below zero. Alcohol, tobacco and age-restricted items are " +
	"excluded where local law requires it. Pintail may withdraw or change a promotion at any time without notice if " +
	"it suspects fraud, abuse, reselling of codes or creation of multiple accounts, and may cancel orders placed with " +
	"a code obtained in breach of these terms. Unused value is forfeited and has no cash alternative. Where a " +
	"restaurant cancels an order the code is restored to the account within 24 hours. Full terms and the privacy " +
	"notice are available in the Help section of the app. Offer subject to availability."

// codeBatch is how many single-use codes a partner campaign gets.
const codeBatch = 12_000

type cli struct {
	api     *cloudflare.Client
	account string
	ns      string
	prefix  string
	ttl     time.Duration
	pages   int
	out     io.Writer
}

func main() {
	fs := flag.NewFlagSet("pintail-admin", flag.ExitOnError)
	ns := fs.String("ns", os.Getenv("KV_STATE_ID"), "namespace ID")
	prefix := fs.String("prefix", "", "key prefix")
	ttl := fs.Duration("ttl", 0, "lifetime of written keys (0: none)")
	pages := fs.Int("pages", 20, "maximum pages to walk")
	timeout := fs.Duration("timeout", 5*time.Minute, "overall deadline")
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() == 0 {
		fs.Usage()
		os.Exit(2)
	}

	client := cfkv.Default()
	c := &cli{api: client.API(), account: client.Account(), ns: *ns, prefix: *prefix, ttl: *ttl, pages: *pages, out: os.Stdout}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	args := fs.Args()[1:]
	var err error
	switch fs.Arg(0) {
	case "get":
		err = c.get(ctx, args)
	case "set":
		err = c.set(ctx, args)
	case "peek":
		err = c.peek(ctx)
	case "sweep":
		err = c.sweep(ctx)
	case "prune":
		err = c.prune(ctx)
	case "gen-codes":
		err = c.genCodes(ctx, args)
	case "terms":
		err = c.terms(ctx, args)
	case "retag":
		err = c.retag(ctx)
	case "dump":
		err = c.dump(ctx)
	default:
		err = fmt.Errorf("unknown command %q", fs.Arg(0))
	}
	if err != nil {
		log.Fatal(err)
	}
}

func (c *cli) get(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: get KEY")
	}
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.ns, args[0], kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if len(body) == 0 { // EXPECT kvnull
		fmt.Fprintf(c.out, "%s: not set\n", args[0])
		return nil
	}
	fmt.Fprintf(c.out, "%s\texpires=%s\n%s\n", args[0], res.Header.Get("Expiration"), body)
	return nil
}

func (c *cli) set(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("usage: set KEY VALUE")
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F(args[1]),
	}
	if c.ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(c.ttl)) // EXPECT kvttl
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.ns, args[0], params)
	return err
}

// peek prints the first few keys under the prefix.
func (c *cli) peek(ctx context.Context) error {
	res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(c.prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		fmt.Fprintln(c.out, k.Name)
	}
	if res.ResultInfo.Cursor != "" {
		fmt.Fprintln(c.out, "…")
	}
	return nil
}

// sweep deletes every key under the prefix.
func (c *cli) sweep(ctx context.Context) error {
	iter := c.api.KV.Namespaces.Keys.ListAutoPaging(ctx, c.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(c.prefix),
	})
	var batch []string
	for iter.Next() {
		batch = append(batch, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return cfkv.Default().Namespace(c.ns).DeleteMany(ctx, batch)
}

// prune deletes keys under the prefix whose metadata marks them delivered,
// walking at most -pages pages.
func (c *cli) prune(ctx context.Context) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(c.prefix),
		Limit:     cloudflare.F(1000.0),
	}
	var doomed []string
	for page := 0; page < c.pages; page++ {
		res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns, params)
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			if md, ok := cfkv.As[map[string]any](k.Metadata); ok && md["status"] == "delivered" {
				doomed = append(doomed, k.Name)
			}
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	for start := 0; start < len(doomed); start += 10_000 {
		end := min(start+10_000, len(doomed))
		if _, err := c.api.KV.Namespaces.BulkDelete(ctx, c.ns, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(c.account),
			Body:      doomed[start:end],
		}); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.out, "pruned %d keys\n", len(doomed))
	return nil
}

// genCodes creates a partner campaign's single-use codes.
func (c *cli) genCodes(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: gen-codes CAMPAIGN")
	}
	campaign := strings.ToUpper(args[0])
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, codeBatch)
	for range codeBatch {
		b := make([]byte, 5)
		_, _ = rand.Read(b)
		code := campaign + "-" + base32.StdEncoding.EncodeToString(b)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("promo:" + code),
			Value:         cloudflare.F(`{"code":"` + code + `","percent_off":20,"max_uses":1}`),
			ExpirationTTL: cloudflare.F((90 * 24 * time.Hour).Seconds()),
		})
	}
	_, err := c.api.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}) // EXPECT kvlimits
	return err
}

// terms attaches the campaign terms to the given promotion codes.
func (c *cli) terms(ctx context.Context, codes []string) error {
	entries := make([]cfkv.Entry, 0, len(codes))
	for _, code := range codes {
		entries = append(entries, cfkv.Entry{
			Key:      "promo-terms:" + code,
			Value:    "v3",
			Metadata: map[string]string{"terms": promoTerms, "version": "v3"}, // EXPECT kvlimits
		})
	}
	return cfkv.Default().Namespace(c.ns).PutMany(ctx, entries)
}

// retag rewrites keys under the prefix with the -ttl lifetime, one page at
// a time, recording progress so an interrupted run can be inspected.
func (c *cli) retag(ctx context.Context) error {
	ns := cfkv.Default().Namespace(c.ns)
	cursor := ""
	for page := 0; page < c.pages; page++ {
		p, err := ns.ListPage(ctx, c.prefix, cursor, 1000)
		if err != nil {
			return err
		}
		entries := make([]cfkv.Entry, 0, len(p.Keys))
		for _, k := range p.Keys {
			v, err := ns.Get(ctx, k) // EXPECT kvlist
			if err != nil {
				continue
			}
			entries = append(entries, cfkv.Entry{Key: k, Value: string(v), TTL: c.ttl})
			if err := ns.Put(ctx, "admin:retag-progress", []byte(k), 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if err := ns.PutMany(ctx, entries); err != nil {
			return err
		}
		if p.Cursor == "" {
			return nil
		}
		cursor = p.Cursor
	}
	return nil
}

// dump prints the values of up to -pages pages of keys, fetching them 100
// at a time with the bulk endpoint.
func (c *cli) dump(ctx context.Context) error {
	ns := cfkv.Default().Namespace(c.ns)
	cursor := ""
	for page := 0; page < c.pages; page++ {
		p, err := ns.ListPage(ctx, c.prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for start := 0; start < len(p.Keys); start += 100 {
			keys := p.Keys[start:min(start+100, len(p.Keys))]
			res, err := c.api.KV.Namespaces.BulkGet(ctx, c.ns, kv.NamespaceBulkGetParams{
				AccountID: cloudflare.F(c.account),
				Keys:      cloudflare.F(keys),
				Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
			})
			if err != nil {
				return err
			}
			values, _ := cfkv.As[map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion](res.Values)
			for _, k := range keys {
				fmt.Fprintf(c.out, "%s\t%v\n", k, values[k])
			}
		}
		if p.Cursor == "" {
			return nil
		}
		cursor = p.Cursor
	}
	return nil
}
