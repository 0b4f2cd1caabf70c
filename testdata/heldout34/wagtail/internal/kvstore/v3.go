package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	cfv3 "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// KeyInfo is a listed key with its metadata.
type KeyInfo struct {
	Name string
	Meta map[string]any
}

func keyInfo(k kv.Key) KeyInfo { return KeyInfo{Name: k.Name, Meta: k.Metadata} }

// ListAll returns every key under prefix.
func ListAll(ctx context.Context, ns, prefix string) ([]KeyInfo, error) {
	iter := V3.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cfv3.F(AccountID),
		Prefix:    cfv3.F(prefix),
		Limit:     cfv3.F(1000.0),
	})
	var out []KeyInfo
	for iter.Next() {
		out = append(out, keyInfo(iter.Current()))
	}
	return out, iter.Err()
}

// Scan calls fn for keys under prefix, stopping after maxKeys keys, when fn
// returns false, or when ctx is done.
func Scan(ctx context.Context, ns, prefix string, maxKeys int, fn func(KeyInfo) bool) error {
	iter := V3.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{
		AccountID: cfv3.F(AccountID),
		Prefix:    cfv3.F(prefix),
		Limit:     cfv3.F(1000.0),
	})
	seen := 0
	for iter.Next() {
		if seen >= maxKeys || ctx.Err() != nil {
			break
		}
		seen++
		if !fn(keyInfo(iter.Current())) {
			break
		}
	}
	return iter.Err()
}

// PutMeta writes value with metadata through the v3 client. The TTL is
// raised to the KV minimum.
func PutMeta(ctx context.Context, ns, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	m, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	var opts []option.RequestOption
	if ttl > 0 {
		secs := max(int(ttl.Seconds()), 60)
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(secs)))
	}
	_, err = V3.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cfv3.F(AccountID),
		Metadata:  cfv3.F(string(m)),
		Value:     cfv3.F(string(value)),
	}, opts...)
	return err
}

// Read returns the body of key through the v3 client.
func Read(ctx context.Context, ns, key string) ([]byte, int, error) {
	res, err := V3.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cfv3.F(AccountID)})
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, res.StatusCode, fmt.Errorf("kv read %s: %w", key, err)
	}
	return body, res.StatusCode, nil
}

// BulkPut writes pairs through the v3 bulk endpoint.
func BulkPut(ctx context.Context, ns string, body []kv.NamespaceBulkUpdateParamsBody) error {
	_, err := V3.KV.Namespaces.Bulk.Update(ctx, ns, kv.NamespaceBulkUpdateParams{
		AccountID: cfv3.F(AccountID),
		Body:      body,
	})
	return err
}
