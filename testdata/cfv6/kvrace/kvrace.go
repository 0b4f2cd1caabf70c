// Package kvrace holds kvrace's and kvcounter's cases on the generated
// cloudflare-go/v6, from a backend.
package kvrace

import (
	"context"
	"encoding/json"
	"io"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type flags struct {
	client  *cloudflare.Client
	account string
	ns      string
}

func (f *flags) read(ctx context.Context, key string) ([]byte, error) {
	resp, err := f.client.KV.Namespaces.Values.Get(ctx, f.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(f.account)})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (f *flags) write(ctx context.Context, key string, value []byte) error {
	_, err := f.client.KV.Namespaces.Values.Update(ctx, f.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(f.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

// Enable a feature for one more user: read the list, add, write it back.
func (f *flags) enableFor(ctx context.Context, feature, user string) error {
	raw, err := f.read(ctx, "flag:"+feature)
	if err != nil {
		return err
	}
	var users []string
	_ = json.Unmarshal(raw, &users)
	users = append(users, user)
	data, _ := json.Marshal(users)
	return f.write(ctx, "flag:"+feature, data) // want `read-modify-write on one KV key`
}

// Quiet: publish a new version computed from elsewhere.
func (f *flags) publish(ctx context.Context, feature string, users []string) error {
	data, _ := json.Marshal(users)
	return f.write(ctx, "flag:"+feature, data)
}

// A counter through the raw SDK calls, kept for kvcounter: kvrace stays
// quiet on it, one diagnostic per site.
func (f *flags) countDeploys(ctx context.Context) error {
	resp, err := f.client.KV.Namespaces.Values.Get(ctx, f.ns, "deploys", kv.NamespaceValueGetParams{AccountID: cloudflare.F(f.account)})
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	n, _ := strconv.Atoi(string(body))
	_, err = f.client.KV.Namespaces.Values.Update(ctx, f.ns, "deploys", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(f.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(n + 1))),
	})
	return err
}

// Options built by an unexported helper from the encoded value.
func (f *flags) params(value []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(f.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
}

func (f *flags) rename(ctx context.Context, feature, title string) error {
	raw, err := f.read(ctx, "meta:"+feature)
	if err != nil {
		return err
	}
	meta := map[string]string{}
	_ = json.Unmarshal(raw, &meta)
	meta["title"] = title
	data, _ := json.Marshal(meta)
	_, err = f.client.KV.Namespaces.Values.Update(ctx, f.ns, "meta:"+feature, f.params(data)) // want `read-modify-write on one KV key`
	return err
}

func (f *flags) resetMeta(ctx context.Context, feature string) error {
	if _, err := f.read(ctx, "meta:"+feature); err != nil {
		return err
	}
	_, err := f.client.KV.Namespaces.Values.Update(ctx, f.ns, "meta:"+feature, f.params([]byte("{}")))
	return err
}
