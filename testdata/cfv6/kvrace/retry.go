package kvrace

import (
	"context"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// A write retried by a helper: the params are built outside the closure
// that makes the call, so the value reaches the update through what the
// closure captures.
type retrying struct {
	f       *flags
	retries int
}

func (r *retrying) do(ctx context.Context, op func() error) error {
	var err error
	for i := 0; i <= r.retries; i++ {
		if err = op(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(i+1) * 100 * time.Millisecond):
		}
	}
	return err
}

func (r *retrying) put(ctx context.Context, key string, value []byte) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.f.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	return r.do(ctx, func() error {
		_, err := r.f.client.KV.Namespaces.Values.Update(ctx, r.f.ns, key, params)
		return err
	})
}

func (r *retrying) appendTag(ctx context.Context, item, tag string) error {
	old, err := r.f.read(ctx, "tags:"+item)
	if err != nil {
		return err
	}
	tags := strings.TrimSpace(string(old) + " " + tag)
	return r.put(ctx, "tags:"+item, []byte(tags)) // want `read-modify-write on one KV key`
}

// Quiet: what is written does not come from what was read.
func (r *retrying) resetTags(ctx context.Context, item string) error {
	if _, err := r.f.read(ctx, "tags:"+item); err != nil {
		return err
	}
	return r.put(ctx, "tags:"+item, []byte("none"))
}
