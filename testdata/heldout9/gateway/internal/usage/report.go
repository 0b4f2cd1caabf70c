package usage

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/shared"

	"example.com/gateway/internal/cfkv"
	"example.com/gateway/internal/keys"
)

// Reporter reads the hourly buckets the edge worker writes.
type Reporter struct {
	ns cfkv.Namespace
}

// NewReporter returns a Reporter.
func NewReporter(ns cfkv.Namespace) *Reporter { return &Reporter{ns: ns} }

func (r *Reporter) bulk(ctx context.Context, names []string) (map[string]string, error) {
	res, err := r.ns.Client.KV.Namespaces.BulkGet(ctx, r.ns.ID, kv.NamespaceBulkGetParams{AccountID: cloudflare.F(r.ns.AccountID), Keys: cloudflare.F(names)})
	if err != nil {
		return nil, err
	}
	return decodeBulk(res)
}

func decodeBulk(res *kv.NamespaceBulkGetResponse) (map[string]string, error) {
	out := map[string]string{}
	vals, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return nil, fmt.Errorf("unexpected bulk response %T", res.AsUnion())
	}
	for k, v := range vals.Values {
		if s, ok := v.(shared.UnionString); ok {
			out[k] = string(s)
		}
	}
	return out, nil
}

// Daily returns the 24 hourly buckets of one day.
func (r *Reporter) Daily(ctx context.Context, tenant string, day time.Time) (map[string]string, error) {
	start := day.UTC().Truncate(24 * time.Hour)
	names := make([]string, 0, 24)
	for h := 0; h < 24; h++ {
		names = append(names, keys.UsageBucket(tenant, start.Add(time.Duration(h)*time.Hour)))
	}
	return r.bulk(ctx, names)
}

// Weekly returns the hourly buckets of the seven days before end.
func (r *Reporter) Weekly(ctx context.Context, tenant string, end time.Time) (map[string]string, error) {
	start := end.UTC().Truncate(time.Hour).Add(-7 * 24 * time.Hour)
	names := make([]string, 0, 7*24)
	for h := 0; h < 7*24; h++ {
		names = append(names, keys.UsageBucket(tenant, start.Add(time.Duration(h)*time.Hour)))
	}
	res, err := r.ns.Client.KV.Namespaces.BulkGet(ctx, r.ns.ID, kv.NamespaceBulkGetParams{AccountID: cloudflare.F(r.ns.AccountID), Keys: cloudflare.F(names)}) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	return decodeBulk(res)
}

// RecentKeys lists up to max bucket keys for a tenant, newest pages first
// are not guaranteed; it is only used by the debug page.
func (r *Reporter) RecentKeys(ctx context.Context, tenant string, max int) ([]string, error) {
	var out []string
	iter := r.ns.Keys().ListAutoPaging(ctx, r.ns.ID, kv.NamespaceKeyListParams{AccountID: cloudflare.F(r.ns.AccountID), Prefix: cloudflare.F("usage:" + tenant + ":"), Limit: cloudflare.F(100.0)})
	for iter.Next() {
		out = append(out, iter.Current().Name)
		if len(out) >= max {
			break
		}
	}
	return out, iter.Err()
}
