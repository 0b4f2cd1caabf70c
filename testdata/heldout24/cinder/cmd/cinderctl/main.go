// Command cinderctl is the operators' tool for inspecting and repairing the
// edge namespace through the Cloudflare API.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/cinder/internal/config"
	"example.com/cinder/internal/domain"
)

const (
	shardCount = 16384
	pageBudget = 50
)

type ctl struct {
	api     *cloudflare.Client
	account string
	ns      string
	out     io.Writer
}

func (c *ctl) notFound(err error) bool {
	var apiErr *kv.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (c *ctl) put(ctx context.Context, key string, value []byte) error {
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(value)),
	})
	return err
}

// tenants prints every tenant record key.
func (c *ctl) tenants(ctx context.Context) error {
	iter := c.api.KV.Namespaces.Keys.ListAutoPaging(ctx, c.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F("tenant:"),
	})
	for iter.Next() {
		fmt.Fprintln(c.out, strings.TrimPrefix(iter.Current().Name, "tenant:"))
	}
	return iter.Err()
}

// peek prints the first few keys under prefix.
func (c *ctl) peek(ctx context.Context, prefix string) error {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.account), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(5.0)}
	res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns, params) // EXPECT kvlimits
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		fmt.Fprintln(c.out, k.Name)
	}
	if res.ResultInfo.Cursor != "" {
		fmt.Fprintln(c.out, "... more; use keys -all")
	}
	return nil
}

// keys prints keys under prefix, up to pageBudget pages.
func (c *ctl) keys(ctx context.Context, prefix string) error {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.account), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(1000.0)}
	for page := 0; page < pageBudget; page++ {
		res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns, params)
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			fmt.Fprintln(c.out, k.Name)
		}
		if res.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	fmt.Fprintf(c.out, "stopped after %d pages\n", pageBudget)
	return nil
}

// seedShards pre-creates the rate shard directory used by the Worker.
func (c *ctl) seedShards(ctx context.Context) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, shardCount)
	for i := 0; i < shardCount; i++ {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("shard:%05d", i)),
			Value: cloudflare.F(fmt.Sprintf(`{"shard":%d}`, i)),
		})
	}
	_, err := c.api.KV.Namespaces.Bulk.Update(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}) // EXPECT kvlimits
	return err
}

// revokeUser removes every refresh token of a user, e.g. after a password
// reset or a compromised device report.
func (c *ctl) revokeUser(ctx context.Context, user string) error {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.account), Prefix: cloudflare.F("refresh-token:" + user + ":")}
	for page := 0; page < pageBudget; page++ {
		res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns, params)
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			if _, err := c.api.KV.Namespaces.Values.Delete(ctx, c.ns, url.PathEscape(k.Name), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.account)}); err != nil { // EXPECT kvsession
				return err
			}
		}
		if res.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return fmt.Errorf("more than %d pages of tokens for %s", pageBudget, user)
}

// resetConfig restores a tenant's configuration if it is missing.
func (c *ctl) resetConfig(ctx context.Context, tenant string) error {
	key := domain.TenantConfig{TenantID: tenant}.StorageKey()
	_, err := c.api.KV.Namespaces.Values.Get(ctx, c.ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)}) // EXPECT kvnull
	if err == nil {
		fmt.Fprintln(c.out, "config present; nothing to do")
		return nil
	}
	def, _ := json.Marshal(domain.TenantConfig{TenantID: tenant, Currency: "USD", FiscalYearStartMonth: 1, InvoicePrefix: "INV-", Version: 1})
	return c.put(ctx, key, def)
}

// reindex rebuilds the slug directory for the given tenants.
func (c *ctl) reindex(ctx context.Context, tenants []string) error {
	for i, t := range tenants {
		res, err := c.api.KV.Namespaces.Values.Get(ctx, c.ns, url.PathEscape("tenant:"+t), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
		if c.notFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		var ten domain.Tenant
		err = json.NewDecoder(res.Body).Decode(&ten)
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("tenant %s: %w", t, err)
		}
		if ten.Slug != "" {
			if err := c.put(ctx, "slug:"+ten.Slug, []byte(`"`+ten.ID+`"`)); err != nil {
				return err
			}
		}
		progress := fmt.Sprintf(`{"done":%d,"total":%d,"at":%q}`, i+1, len(tenants), time.Now().UTC().Format(time.RFC3339))
		if err := c.put(ctx, "admin:reindex-progress", []byte(progress)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: cinderctl [-config file] tenants|keys [-all] PREFIX|seed-shards|revoke-user USER|reset-config TENANT|reindex TENANT...")
	os.Exit(2)
}

func main() {
	cfgPath := flag.String("config", "", "path to a JSON config file")
	flag.Usage = usage
	flag.Parse()
	if flag.NArg() < 1 {
		usage()
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	c := &ctl{
		api:     cloudflare.NewClient(option.WithAPIToken(cfg.APIToken)),
		account: cfg.AccountID,
		ns:      cfg.NamespaceID,
		out:     os.Stdout,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	args := flag.Args()[1:]
	arg := func(i int) string {
		if i >= len(args) {
			usage()
		}
		return args[i]
	}
	switch flag.Arg(0) {
	case "tenants":
		err = c.tenants(ctx)
	case "keys":
		if arg(0) == "-all" {
			err = c.keys(ctx, arg(1))
		} else {
			err = c.peek(ctx, arg(0))
		}
	case "seed-shards":
		err = c.seedShards(ctx)
	case "revoke-user":
		err = c.revokeUser(ctx, arg(0))
	case "reset-config":
		err = c.resetConfig(ctx, arg(0))
	case "reindex":
		err = c.reindex(ctx, args)
	default:
		usage()
	}
	if err != nil {
		log.Fatal(err)
	}
}
