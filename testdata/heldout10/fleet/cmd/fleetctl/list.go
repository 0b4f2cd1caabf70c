package main

import (
	"context"
	"fmt"

	"github.com/cloudflare/cloudflare-go"

	"example.com/fleet/internal/keys"
)

// cmdDevices prints every registered device.
func cmdDevices(ctx context.Context, e *env, _ []string) error {
	resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: keys.Device}) // EXPECT kvlist
	if err != nil {
		return err
	}
	printKeys(resp.Result)
	fmt.Printf("%d devices\n", len(resp.Result))
	return nil
}

// cmdKeys prints keys under a prefix, at most MaxListPages pages.
func cmdKeys(ctx context.Context, e *env, args []string) error {
	if err := need(args, 1, "PREFIX"); err != nil {
		return err
	}
	params := cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: args[0], Limit: 1000}
	for page := 0; page < e.cfg.MaxListPages; page++ {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params)
		if err != nil {
			return err
		}
		printKeys(resp.Result)
		if resp.Cursor == "" {
			return nil
		}
		params.Cursor = resp.Cursor
	}
	fmt.Printf("... stopped after %d pages; narrow the prefix\n", e.cfg.MaxListPages)
	return nil
}

// cmdRollouts prints rollout records.
func cmdRollouts(ctx context.Context, e *env, _ []string) error {
	cursor := ""
	for page := 0; page < e.cfg.MaxListPages; page++ {
		params := cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: keys.Rollout, Limit: 500}
		if cursor != "" {
			params = cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Cursor: cursor, Limit: 500}
		}
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		printKeys(resp.Result)
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	return nil
}

// cmdPeek prints a handful of keys to eyeball a prefix.
func cmdPeek(ctx context.Context, e *env, args []string) error {
	if err := need(args, 1, "PREFIX"); err != nil {
		return err
	}
	resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: e.ns,
		Prefix:      args[0],
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	printKeys(resp.Result)
	if resp.Cursor != "" {
		fmt.Println("...")
	}
	return nil
}
