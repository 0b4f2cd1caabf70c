package main

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// bulkGetMax is the most keys one bulk read may ask for.
const bulkGetMax = 100

// values fetches the text values of keys with bulk reads.
func (c *cli) values(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += bulkGetMax {
		chunk := keys[start:min(start+bulkGetMax, len(keys))]
		res, err := c.api.KV.Namespaces.BulkGet(ctx, c.namespace, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(c.account),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		plain, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			return nil, fmt.Errorf("unexpected bulk response %T", res.AsUnion())
		}
		for k, v := range plain.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = string(s)
			}
		}
	}
	return out, nil
}

func (c *cli) export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ExitOnError)
	prefix := fs.String("prefix", "", "only export keys with this prefix")
	outPath := fs.String("o", "-", "output file, - for stdout")
	_ = fs.Parse(args)

	var w io.Writer = c.stdout
	if *outPath != "-" {
		f, err := os.Create(*outPath)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"key", "expiration", "value_b64"})

	cursor, total := "", 0
	for {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(c.account),
			Prefix:    cloudflare.F(*prefix),
			Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := c.api.KV.Namespaces.Keys.List(ctx, c.namespace, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		names := make([]string, len(page.Result))
		for i, k := range page.Result {
			names[i] = k.Name
		}
		vals, err := c.values(ctx, names)
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			exp := strconv.FormatInt(int64(k.Expiration), 10)
			if err := cw.Write([]string{k.Name, exp, base64.StdEncoding.EncodeToString([]byte(vals[k.Name]))}); err != nil {
				return err
			}
		}
		total += len(page.Result)
		if page.ResultInfo.Cursor == "" {
			break
		}
		cursor = page.ResultInfo.Cursor
	}
	cw.Flush()
	c.log.Info("export complete", "keys", total)
	return cw.Error()
}
