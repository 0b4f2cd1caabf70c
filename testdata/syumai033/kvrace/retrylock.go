package kvrace

import (
	"context"
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

var errBusy = errors.New("busy")

// A lock that, held by another, waits and looks again: each look is a
// check that the key is free, then the put claims it.
func acquireCampaign(ctx context.Context, ns *kv.Namespace, id, holder string) error {
	key := "campaign:" + id + ":lock"
	wait := 2 * time.Second
	for attempt := 0; attempt < 5; attempt++ {
		cur, err := ns.GetString(key, nil)
		if err != nil {
			return err
		}
		if cur == "<null>" || cur == holder {
			return ns.PutString(key, holder, &kv.PutOptions{ExpirationTTL: 300}) // want `check-then-create on one KV key`
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
			wait *= 2
		}
	}
	return errBusy
}
