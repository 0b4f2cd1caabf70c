// Command kinglet-legacy is the pre-2024 admin tool, kept for the two jobs
// that were never ported: copying the old rate cache into the current
// namespace and annotating payment links with their invoice metadata.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

const (
	ratesTTL   = 86400
	previewTTL = 30
)

func main() {
	from := flag.String("from", "", "old namespace ID")
	to := flag.String("to", "", "new namespace ID")
	mode := flag.String("mode", "rates", "rates | preview | annotate")
	flag.Parse()

	accountID := os.Getenv("CF_ACCOUNT_ID")
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	ctx := context.Background()

	var err error
	switch *mode {
	case "rates", "preview":
		err = copyRates(ctx, client, accountID, *from, *to, *mode == "preview")
	case "annotate":
		err = annotateLinks(ctx, client, accountID, *to)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func copyRates(ctx context.Context, client *cloudflare.Client, accountID, from, to string, preview bool) error {
	listParams := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(accountID),
		Prefix:    cloudflare.F("rates:"),
		Limit:     cloudflare.F(1000.0),
	}
	getParams := kv.NamespaceValueGetParams{AccountID: cloudflare.F(accountID)}
	copied := 0
	for {
		page, err := client.KV.Namespaces.Keys.List(ctx, from, listParams) // EXPECT kvlist
		if err != nil {
			return err
		}
		var body []kv.NamespaceBulkUpdateParamsBody
		for _, k := range page.Result {
			res, err := client.KV.Namespaces.Values.Get(ctx, from, k.Name, getParams) // EXPECT kvlist
			if err != nil {
				return err
			}
			v, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				return err
			}
			entry := kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(strings.Replace(k.Name, "rates:", "fx:legacy:", 1)),
				Value:         cloudflare.F(string(v)),
				ExpirationTTL: cloudflare.F(float64(ratesTTL)),
			}
			if preview {
				entry.ExpirationTTL = cloudflare.F(float64(previewTTL)) // EXPECT kvttl
			}
			body = append(body, entry)
		}
		if len(body) > 0 {
			if _, err := client.KV.Namespaces.Bulk.Update(ctx, to, kv.NamespaceBulkUpdateParams{
				AccountID: cloudflare.F(accountID),
				Body:      body,
			}); err != nil {
				return err
			}
			copied += len(body)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		listParams.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	log.Printf("copied %d rate entries", copied)
	return nil
}

// annotateLinks stores invoice metadata on the first page of payment links.
func annotateLinks(ctx context.Context, client *cloudflare.Client, accountID, ns string) error {
	page, err := client.KV.Namespaces.Keys.List(ctx, ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(accountID),
		Prefix:    cloudflare.F("paylink:"),
		Limit:     cloudflare.F(200.0),
	})
	if err != nil {
		return err
	}
	getParams := kv.NamespaceValueGetParams{AccountID: cloudflare.F(accountID)}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	if page.ResultInfo.Cursor != "" {
		log.Printf("more links after %s; rerun with a fresh listing later", names[len(names)-1])
	}
	for _, name := range names {
		res, err := client.KV.Namespaces.Values.Get(ctx, ns, name, getParams) // EXPECT kvlist
		if err != nil {
			return err
		}
		var link struct {
			Invoice     string `json:"invoice"`
			AmountCents int64  `json:"amount_cents"`
		}
		err = json.NewDecoder(res.Body).Decode(&link)
		res.Body.Close()
		if err != nil {
			return err
		}
		meta, _ := json.Marshal(map[string]any{"invoice": link.Invoice, "amount": link.AmountCents})
		raw, _ := json.Marshal(link)
		if _, err := client.KV.Namespaces.Values.Update(ctx, ns, name+":meta", kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(accountID),
			Metadata:  cloudflare.F(string(meta)),
			Value:     cloudflare.F(string(raw)),
		}); err != nil {
			return err
		}
	}
	return nil
}
