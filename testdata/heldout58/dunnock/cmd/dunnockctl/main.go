// Command dunnockctl is the operators' tool for the dunnock KV namespaces:
// inspecting keys, importing catalog exports, purging and seeding.
//
// Usage: dunnockctl <command> [args...]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
	"github.com/samber/lo"
)

// licenseNotice is attached to every imported episode so that directory
// crawlers reading key metadata see the terms.
const licenseNotice = `This episode, including its audio, transcript, artwork and show notes, is ` +
	`published on the dunnock podcast hosting platform under the Creative Commons Attribution-` +
	`NonCommercial-ShareAlike 4.0 International licence (CC BY-NC-SA 4.0). You are free to share, ` +
	`copy and redistribute the material in any medium or format, and to remix, transform, and build ` +
	`upon the material, under the following terms: Attribution - you must give appropriate credit, ` +
	`provide a link to the licence, and indicate if changes were made. You may do so in any reasonable ` +
	`manner, but not in any way that suggests the licensor endorses you or your use. NonCommercial - ` +
	`you may not use the material for commercial purposes, including insertion of advertising, paid ` +
	`redistribution or inclusion in subscription bundles. ShareAlike - if you remix, transform, or ` +
	`build upon the material, you must distribute your contributions under the same licence as the ` +
	`original. No additional restrictions - you may not apply legal terms or technological measures ` +
	`that legally restrict others from doing anything the licence permits. Music beds and sound effects ` +
	`used in this episode may be licensed separately by their respective owners and are excluded.`

type cli struct {
	api     *cloudflare.Client
	account string
	ns      string
}

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: dunnockctl <keys|dump|import|peek|seed|head|sample|license|promo|monthly|purge> ...")
	}
	c := &cli{
		api:     cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN"))),
		account: os.Getenv("CF_ACCOUNT_ID"),
		ns:      os.Getenv("KV_NAMESPACE"),
	}
	ctx := context.Background()
	args := os.Args[2:]
	arg := func(i int, def string) string {
		if i < len(args) {
			return args[i]
		}
		return def
	}
	var err error
	switch os.Args[1] {
	case "keys":
		err = c.keys(ctx, arg(0, ""))
	case "dump":
		err = c.dump(ctx, arg(0, ""), os.Stdout)
	case "import":
		err = c.importFile(ctx, arg(0, "export.jsonl"))
	case "peek":
		err = c.peek(ctx, arg(0, ""))
	case "seed":
		err = c.seed(ctx, arg(0, "config/edge"), arg(1, "{}"))
	case "head":
		err = c.head(ctx, arg(0, ""))
	case "sample":
		err = c.sample(ctx, arg(0, ""))
	case "license":
		err = c.license(ctx, arg(0, ""))
	case "promo":
		err = c.promo(ctx, arg(0, "banner"), arg(1, ""))
	case "monthly":
		err = c.monthly(ctx, arg(0, ""), arg(1, ""))
	case "purge":
		err = c.purge(ctx, arg(0, "tmp/"))
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// keys prints every key under prefix.
func (c *cli) keys(ctx context.Context, prefix string) error {
	iter := c.api.KV.Namespaces.Keys.ListAutoPaging(ctx, c.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
	})
	for iter.Next() {
		fmt.Println(iter.Current().Name)
	}
	return iter.Err()
}

// dump writes key names and expirations under prefix as JSON lines.
func (c *cli) dump(ctx context.Context, prefix string, w io.Writer) error {
	enc := json.NewEncoder(w)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	for page := 0; page < 500; page++ {
		res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			if err := enc.Encode(map[string]any{"name": k.Name, "expiration": k.Expiration}); err != nil {
				return err
			}
		}
		if res.ResultInfo.Cursor == "" {
			return nil
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(c.account),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
		}
	}
	return errors.New("dump: stopped after 500 pages")
}

type exported struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	TTL   int    `json:"ttl,omitempty"`
}

func readExport(path string) ([]exported, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []exported
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 32<<20)
	for sc.Scan() {
		var e exported
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

func bulkBody(batch []exported) []kv.NamespaceBulkUpdateParamsBody {
	return lo.Map(batch, func(e exported, _ int) kv.NamespaceBulkUpdateParamsBody {
		b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(e.Value)}
		if e.TTL >= 60 {
			b.ExpirationTTL = cloudflare.F(float64(e.TTL))
		}
		return b
	})
}

// importFile loads a catalog export produced by the legacy host.
func (c *cli) importFile(ctx context.Context, path string) error {
	rows, err := readExport(path)
	if err != nil {
		return err
	}
	for i, batch := range lo.Chunk(rows, 25_000) { // EXPECT kvlimits
		res, err := c.api.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.account),
			Body:      bulkBody(batch),
		})
		if err != nil {
			return fmt.Errorf("batch %d: %w", i, err)
		}
		log.Printf("batch %d: %v written", i, res.SuccessfulKeyCount)
	}
	return nil
}

func (c *cli) read(ctx context.Context, key string) ([]byte, error) {
	resp, err := c.api.KV.Namespaces.Values.Get(ctx, c.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// peek prints one value.
func (c *cli) peek(ctx context.Context, key string) error {
	raw, err := c.read(ctx, key)
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		fmt.Printf("%s: (not set)\n", key)
		return nil
	}
	fmt.Printf("%s: %s\n", key, raw)
	return nil
}

// seed writes value under key unless the key already holds something.
func (c *cli) seed(ctx context.Context, key, value string) error {
	if _, err := c.read(ctx, key); err == nil { // EXPECT kvnull
		log.Printf("%s already set", key)
		return nil
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F(value),
	})
	return err
}

// head prints the first few keys under prefix.
func (c *cli) head(ctx context.Context, prefix string) error {
	res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		fmt.Println(k.Name)
	}
	if res.ResultInfo.Cursor != "" {
		fmt.Println("... more (cursor " + res.ResultInfo.Cursor + ")")
	}
	return nil
}

// sample prints a larger sample of keys under prefix, with the cursor to
// continue from.
func (c *cli) sample(ctx context.Context, prefix string) error {
	res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(2500.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		fmt.Println(k.Name)
	}
	fmt.Println("cursor:", res.ResultInfo.Cursor)
	return nil
}

// license rewrites an episode key with the licence notice in its metadata.
func (c *cli) license(ctx context.Context, key string) error {
	raw, err := c.read(ctx, key)
	if err != nil {
		return err
	}
	_, err = c.api.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{ // DEBATABLE kvrace
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F(string(raw)),
		Metadata:  cloudflare.F[any](map[string]string{"license": licenseNotice, "spdx": "CC-BY-NC-SA-4.0"}), // EXPECT kvlimits
	})
	return err
}

// promo sets a short-lived banner for the listener site.
func (c *cli) promo(ctx context.Context, slot, text string) error {
	if text == "" {
		_, err := c.api.KV.Namespaces.Values.Delete(ctx, c.ns, "promo/"+slot, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.account)})
		return err
	}
	preview := strings.HasPrefix(slot, "preview-")
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F(text),
	}
	if preview {
		params.Expiration = cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())) // EXPECT kvttl
	} else {
		params.Expiration = cloudflare.F(float64(endOfDay(time.Now()).Unix()))
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.ns, "promo/"+slot, params)
	return err
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

func endOfMonth(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, t.Location())
}

// monthly writes a value that expires at the end of the month, e.g. the
// monthly chart.
func (c *cli) monthly(ctx context.Context, key, value string) error {
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.account),
		Value:      cloudflare.F(value),
		Expiration: cloudflare.F(float64(endOfMonth(time.Now()).UnixMilli())), // EXPECT kvttl
	})
	return err
}

// purge deletes temporary keys, a bounded number of pages per run.
func (c *cli) purge(ctx context.Context, prefix string) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	for range 50 {
		res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns, params)
		if err != nil {
			return err
		}
		names := lo.Map(res.Result, func(k kv.Key, _ int) string { return k.Name })
		if len(names) > 0 {
			if _, err := c.api.KV.Namespaces.BulkDelete(ctx, c.ns, kv.NamespaceBulkDeleteParams{
				AccountID: cloudflare.F(c.account),
				Body:      names,
			}); err != nil {
				return err
			}
		}
		if res.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	log.Print("purge: page budget reached, run again")
	return nil
}
