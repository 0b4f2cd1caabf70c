package main

import (
	"context"
	"encoding/xml"
	"flag"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/meadow/internal/certs"
)

// reindex rebuilds the by-course certificate index from the certificates.
func (c *cli) reindex(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	maxPages := fs.Int("max-pages", 500, "stop after this many pages of certificates")
	_ = fs.Parse(args)

	cursor, indexed := "", 0
	for page := 0; page < *maxPages; page++ {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(c.account),
			Prefix:    cloudflare.F("cert/"),
			Limit:     cloudflare.F(float64(bulkGetMax)),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		res, err := c.api.KV.Namespaces.Keys.List(ctx, c.namespace, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Result) == 0 {
			break
		}
		names := make([]string, len(res.Result))
		for i, k := range res.Result {
			names[i] = k.Name
		}
		docs, err := c.values(ctx, names)
		if err != nil {
			return err
		}
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(docs))
		for _, doc := range docs {
			var cert certs.Certificate
			if xml.Unmarshal([]byte(doc), &cert) != nil {
				continue
			}
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:      cloudflare.F("by-course/" + cert.Tenant + "/" + cert.Course + "/" + cert.ID),
				Value:    cloudflare.F(cert.ID),
				Metadata: cloudflare.F[any](map[string]any{"learner": cert.Learner, "serial": cert.Serial}),
			})
		}
		if len(body) > 0 {
			if _, err := c.api.KV.Namespaces.BulkUpdate(ctx, c.namespace, kv.NamespaceBulkUpdateParams{
				AccountID: cloudflare.F(c.account),
				Body:      body,
			}); err != nil {
				return err
			}
		}
		indexed += len(body)
		if cursor = res.ResultInfo.Cursor; cursor == "" {
			break
		}
	}
	c.log.Info("reindex complete", "certificates", indexed)
	return nil
}
