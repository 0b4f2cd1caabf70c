package main

import (
	"context"
	"errors"
	"flag"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/meadow/internal/tenant"
)

const bulkDeleteBatch = 1000

// gc removes every key that belongs to one of the given (offboarded) tenants,
// including platform keys that name them.
func (c *cli) gc(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("gc", flag.ExitOnError)
	list := fs.String("tenants", "", "comma-separated tenant IDs to remove")
	dryRun := fs.Bool("n", false, "print keys instead of deleting them")
	_ = fs.Parse(args)
	if *list == "" {
		return errors.New("gc: -tenants is required")
	}
	var prefixes []string
	for _, id := range strings.Split(*list, ",") {
		if err := tenant.Validate(id); err != nil {
			return err
		}
		prefixes = append(prefixes, tenant.Prefix(id), "learner-certs/"+id+"/", "by-course/"+id+"/")
	}

	var doomed []string
	iter := c.api.KV.Namespaces.Keys.ListAutoPaging(ctx, c.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.account),
		Limit:     cloudflare.F(1000.0),
	})
	for iter.Next() {
		name := iter.Current().Name
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				doomed = append(doomed, name)
				break
			}
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if *dryRun {
		for _, k := range doomed {
			c.stdout.Write([]byte(k + "\n"))
		}
		return nil
	}
	for start := 0; start < len(doomed); start += bulkDeleteBatch {
		chunk := doomed[start:min(start+bulkDeleteBatch, len(doomed))]
		if _, err := c.api.KV.Namespaces.BulkDelete(ctx, c.namespace, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(c.account),
			Body:      chunk,
		}); err != nil {
			return err
		}
	}
	c.log.Info("gc complete", "deleted", len(doomed))
	return nil
}
