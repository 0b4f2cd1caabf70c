package main

import (
	"context"
	"os"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// retire removes the products listed, one slug per line, in path: the
// ones the catalogue export dropped since the last run.
func retire(ctx context.Context, cfg config, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var keys []string
	for _, slug := range strings.Fields(string(data)) {
		keys = append(keys, "product:"+slug)
	}
	_, err = cfg.client.KV.Namespaces.BulkDelete(ctx, cfg.namespaceID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(cfg.accountID),
		Body:      keys,
	})
	return err
}
