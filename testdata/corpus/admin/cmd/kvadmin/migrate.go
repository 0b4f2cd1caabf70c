package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	cfv6 "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/admin/internal/config"
	"example.com/admin/internal/edge"
	"example.com/admin/internal/kvstore"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return errors.New("migrate: want copy, rename or upgrade")
	}
	switch args[0] {
	case "copy":
		return migrateCopy(ctx, e, args[1:])
	case "rename":
		return migrateRename(ctx, e, args[1:])
	case "upgrade":
		return migrateUpgrade(ctx, e, args[1:])
	default:
		return fmt.Errorf("migrate: unknown mode %q", args[0])
	}
}

// migrateCopy copies every key under a prefix from one namespace to
// another, keeping expirations and metadata.
func migrateCopy(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("migrate copy", flag.ContinueOnError)
	from := fs.String("from", "", "source namespace ID")
	to := fs.String("to", "", "destination namespace ID")
	prefix := fs.String("prefix", "", "key prefix")
	maxPages := fs.Int("max-pages", config.MaxListPages, "safety limit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *from == *to {
		return errors.New("migrate copy: -from and -to must be two different namespaces")
	}

	params := kv.NamespaceKeyListParams{
		AccountID: cfv6.F(e.account),
		Prefix:    cfv6.F(*prefix),
		Limit:     cfv6.F(float64(config.BulkGetSize)),
	}
	copied, skipped := 0, 0
	for page := 0; page < *maxPages; page++ {
		res, err := e.v6.KV.Namespaces.Keys.List(ctx, *from, params)
		if err != nil {
			return err
		}
		if len(res.Result) > 0 {
			names := make([]string, len(res.Result))
			for i, k := range res.Result {
				names[i] = k.Name
			}
			got, err := e.v6.KV.Namespaces.BulkGet(ctx, *from, kv.NamespaceBulkGetParams{
				AccountID: cfv6.F(e.account),
				Keys:      cfv6.F(names),
				Type:      cfv6.F(kv.NamespaceBulkGetParamsTypeText),
			})
			if err != nil {
				return err
			}
			values := edge.TextValues(got)
			soon := float64(time.Now().Add(2 * time.Minute).Unix())
			body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(res.Result))
			for _, k := range res.Result {
				v, ok := values[k.Name]
				if !ok || (k.Expiration > 0 && k.Expiration < soon) {
					skipped++
					continue
				}
				b := kv.NamespaceBulkUpdateParamsBody{Key: cfv6.F(k.Name), Value: cfv6.F(v)}
				if k.Expiration > 0 {
					b.Expiration = cfv6.F(k.Expiration)
				}
				if k.Metadata != nil {
					b.Metadata = cfv6.F(k.Metadata)
				}
				body = append(body, b)
			}
			if len(body) > 0 {
				if _, err := e.v6.KV.Namespaces.BulkUpdate(ctx, *to, kv.NamespaceBulkUpdateParams{
					AccountID: cfv6.F(e.account),
					Body:      body,
				}); err != nil {
					return err
				}
				copied += len(body)
			}
		}
		if res.ResultInfo.Cursor == "" {
			e.log.Info("copied", "keys", copied, "skipped", skipped)
			return nil
		}
		params.Cursor = cfv6.F(res.ResultInfo.Cursor)
	}
	return fmt.Errorf("migrate copy: more than %d pages, rerun with a narrower prefix", *maxPages)
}

// migrateRename moves one value to a new key in the same namespace.
func migrateRename(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("migrate rename", flag.ContinueOnError)
	ns := fs.String("namespace", "", "namespace ID")
	from := fs.String("from", "", "old key")
	to := fs.String("to", "", "new key")
	keep := fs.Bool("keep", false, "keep the old key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == *to {
		return errors.New("migrate rename: keys are identical")
	}
	st := kvstore.New(e.v0, e.account, *ns)
	v, err := st.Get(ctx, *from)
	if err != nil {
		return err
	}
	if err := st.Put(ctx, *to, v); err != nil {
		return err
	}
	if *keep {
		return nil
	}
	return st.Delete(ctx, *from)
}

type settingsV1 struct {
	Name     string `json:"name"`
	Features string `json:"features"`
	Region   string `json:"region"`
}

type settingsV2 struct {
	Schema   int       `json:"schema"`
	Name     string    `json:"name"`
	Features []string  `json:"features"`
	Regions  []string  `json:"regions"`
	Migrated time.Time `json:"migrated"`
}

// migrateUpgrade rewrites a tenant settings value from schema 1 to 2.
func migrateUpgrade(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("migrate upgrade", flag.ContinueOnError)
	ns := fs.String("namespace", config.NSOps, "namespace ID")
	key := fs.String("key", "", "settings key, e.g. settings:acme")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st := kvstore.New(e.v0, e.account, *ns)
	raw, err := st.Get(ctx, *key)
	if err != nil {
		return err
	}
	var probe struct {
		Schema int `json:"schema"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return err
	}
	if probe.Schema >= 2 {
		e.log.Info("already upgraded", "key", *key)
		return nil
	}
	var v1 settingsV1
	if err := json.Unmarshal(raw, &v1); err != nil {
		return err
	}
	v2 := settingsV2{
		Schema:   2,
		Name:     v1.Name,
		Features: strings.FieldsFunc(v1.Features, func(r rune) bool { return r == ',' || r == ' ' }),
		Migrated: time.Now().UTC(),
	}
	if v1.Region != "" {
		v2.Regions = []string{v1.Region}
	}
	b, err := json.Marshal(v2)
	if err != nil {
		return err
	}
	return st.Put(ctx, *key, b) // EXPECT kvrace
}
