package main

import (
	"context"
	"fmt"

	"github.com/cloudflare/cloudflare-go"
)

// tokenRevoke removes a device token so the edge stops accepting it.
func tokenRevoke(ctx context.Context, e *env, args []string) error {
	if err := need(args, 1, "token revoke <hash>"); err != nil {
		return err
	}
	_, err := e.api.DeleteWorkersKVEntry(ctx, e.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: e.ns, Key: "token:" + args[0]}) // EXPECT kvsession
	if err != nil {
		return err
	}
	fmt.Println("revoked", args[0])
	return nil
}
