package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/cloudflare/cloudflare-go"
)

func devicesCount(ctx context.Context, e *env, _ []string) error {
	resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: "device:"}) // EXPECT kvlist
	if err != nil {
		return err
	}
	fmt.Printf("%d devices enrolled\n", len(resp.Result))
	return nil
}

// devicesExport writes every device key as a JSON line to stdout.
func devicesExport(ctx context.Context, e *env, _ []string) error {
	enc := json.NewEncoder(os.Stdout)
	params := cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Prefix: "device:", Limit: 1000}
	for {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			if err := enc.Encode(map[string]any{"key": k.Name, "metadata": k.Metadata}); err != nil {
				return err
			}
		}
		if resp.Cursor == "" {
			return nil
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: e.ns, Cursor: resp.Cursor, Limit: 1000}
	}
}

// devicesList prints one screen of devices and the command to fetch the
// next one.
func devicesList(ctx context.Context, e *env, args []string) error {
	cursor := ""
	if len(args) > 0 {
		cursor = args[0]
	}
	keys, next, err := e.kv.Keys(ctx, "device:", cursor, 10)
	if err != nil {
		return err
	}
	for _, k := range keys {
		fmt.Println(strings.TrimPrefix(k.Name, "device:"))
	}
	if next != "" {
		fmt.Printf("\nmore: fleetctl devices ls %s\n", next)
	}
	return nil
}

// keysPeek shows the first few keys under a prefix.
func keysPeek(ctx context.Context, e *env, args []string) error {
	if err := need(args, 1, "keys peek <prefix>"); err != nil {
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
	for _, k := range resp.Result {
		fmt.Println(k.Name)
	}
	if resp.Cursor != "" {
		fmt.Println("...")
	}
	return nil
}
