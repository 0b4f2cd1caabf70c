package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cloudflare/cloudflare-go"
)

func init() {
	register("get", "print one value", cmdGet)
	register("flag", "show one maintenance flag document", cmdFlag)
	register("quota", "show a key's usage for a month (KEYID YYYY-MM)", cmdQuota)
	register("peek", "show the first keys under a prefix", cmdPeek)
	register("dump-tenant", "list every key that belongs to a tenant", cmdDumpTenant)
}

func cmdGet(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return errors.New("get KEY")
	}
	raw, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: args[0]})
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		fmt.Println("(not set)")
		return nil
	}
	fmt.Println(string(raw))
	return nil
}

func cmdFlag(ctx context.Context, e *env, args []string) error {
	raw, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: "maint:flags"})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		fmt.Println("no flags published")
		return nil
	}
	if err != nil {
		return err
	}
	if len(args) == 0 {
		fmt.Println(string(raw))
		return nil
	}
	fmt.Printf("%s: see %s\n", args[0], raw)
	return nil
}

func cmdQuota(ctx context.Context, e *env, args []string) error {
	if len(args) != 2 {
		return errors.New("quota KEYID YYYY-MM")
	}
	raw, _ := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: fmt.Sprintf("quota:%s:%s", args[0], args[1])}) // EXPECT kvnull
	used, _ := strconv.Atoi(string(raw))
	fmt.Printf("%s used %d calls in %s\n", args[0], used, args[1])
	return nil
}

func cmdPeek(ctx context.Context, e *env, args []string) error {
	prefix := ""
	if len(args) > 0 {
		prefix = args[0]
	}
	resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: e.ns,
		Prefix:      prefix,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range resp.Result {
		fmt.Println(k.Name)
	}
	if resp.Cursor != "" {
		fmt.Println("... more (use export)")
	}
	return nil
}

func cmdDumpTenant(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return errors.New("dump-tenant TENANT")
	}
	params := cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: "tenant:" + args[0], Limit: 1000}
	for page := 0; page < 100; page++ {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			fmt.Println(strings.TrimPrefix(k.Name, "tenant:"))
		}
		if resp.Cursor == "" {
			return nil
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Cursor: resp.Cursor, Limit: 1000}
	}
	return errors.New("dump-tenant: stopped after 100 pages")
}
