package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

const lockKey = "jobs:catalog-sync:lock"

// acquireLock marks the sync as running so that the dashboard can show it.
// The marker expires by itself after ten minutes in case the job dies
// without releasing it.
func acquireLock(ctx context.Context, cfg config) (release func(), err error) {
	host, _ := os.Hostname()
	_, err = cfg.client.KV.Namespaces.Values.Update(ctx, cfg.namespaceID, lockKey, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(cfg.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(host)),
		Expiration: cloudflare.F(float64(time.Now().Add(10 * time.Minute).Unix())),
	})
	if err != nil {
		return nil, fmt.Errorf("taking %s: %w", lockKey, err)
	}
	return func() {
		_, err := cfg.client.KV.Namespaces.Values.Delete(context.WithoutCancel(ctx), cfg.namespaceID, lockKey, kv.NamespaceValueDeleteParams{
			AccountID: cloudflare.F(cfg.accountID),
		})
		if err != nil {
			log.Printf("releasing %s: %v", lockKey, err)
		}
	}, nil
}
