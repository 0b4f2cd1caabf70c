package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"wren/internal/admin"
	"wren/internal/keys"
)

func (e *env) purgeStaff(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("purge-staff", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant id")
	staffID := fs.String("staff", "", "staff id")
	fs.Parse(args)

	ns, err := e.ns(*tenant)
	if err != nil {
		return err
	}
	iter := ns.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(keys.StaffSession(*tenant, *staffID, "")),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	n := 0
	for iter.Next() {
		k := iter.Current()
		_, err := ns.Client.KV.Namespaces.Values.Delete(ctx, ns.ID, k.Name, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
			AccountID: cloudflare.F(ns.AccountID),
		})
		if err != nil {
			return fmt.Errorf("revoke %s: %w", k.Name, err)
		}
		n++
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if err := ns.Delete(ctx, keys.Join(*tenant, "staff", *staffID)); err != nil {
		return err
	}
	fmt.Printf("revoked %d sessions of %s\n", n, *staffID)
	return nil
}

func (e *env) exportLoyalty(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export-loyalty", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant id")
	fs.Parse(args)

	ns, err := e.ns(*tenant)
	if err != nil {
		return err
	}
	w := csv.NewWriter(os.Stdout)
	defer w.Flush()
	prefix := keys.For(*tenant, keys.KindLoyalty, "") + "/"
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(e.cfg.Admin.PageSize)),
	}
	for {
		page, err := ns.Client.KV.Namespaces.Keys.List(ctx, ns.ID, params) // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, k := range page.Result {
			memberID, ok := strings.CutSuffix(strings.TrimPrefix(k.Name, prefix), "/points")
			if !ok {
				continue
			}
			balance, _, err := ns.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return fmt.Errorf("export %s: %w", memberID, err)
			}
			w.Write([]string{memberID, balance})
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return w.Error()
}

type stampRow struct {
	MemberID  string `json:"member_id"`
	Stamps    int    `json:"stamps"`
	Completed int    `json:"completed"`
}

func (e *env) importStamps(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import-stamps", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant id")
	file := fs.String("file", "", "JSON lines exported from the old loyalty system")
	resume := fs.String("resume", "", "member id to resume after")
	fs.Parse(args)

	ns, err := e.ns(*tenant)
	if err != nil {
		return err
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	put := (*admin.Namespace).Put
	cursorKey := keys.Join(*tenant, "import", "stamps", "cursor")
	skipping := *resume != ""
	for dec.More() {
		var row stampRow
		if err := dec.Decode(&row); err != nil {
			return err
		}
		if skipping {
			skipping = row.MemberID != *resume
			continue
		}
		doc, _ := json.Marshal(map[string]int{"stamps": row.Stamps, "completed": row.Completed})
		key, ttl := keys.Policy{Tenant: *tenant}.For(keys.KindStamp, row.MemberID)
		if err := put(ns, ctx, key, string(doc), ttl); err != nil {
			return fmt.Errorf("member %s: %w", row.MemberID, err)
		}
		if err := put(ns, ctx, cursorKey, row.MemberID, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
