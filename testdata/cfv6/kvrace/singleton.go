package kvrace

import (
	"context"
	"io"
	"sync"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// A store made once and reached through an accessor, as command-line
// tools do: each call of sharedStoreOf() is the same store.
type settingsStore struct {
	client *cloudflare.Client
	ns     string
}

var (
	sharedOnce  sync.Once
	sharedStore *settingsStore
)

func sharedStoreOf() *settingsStore {
	sharedOnce.Do(func() { sharedStore = &settingsStore{client: cloudflare.NewClient(), ns: "settings"} })
	return sharedStore
}

func (s *settingsStore) get(ctx context.Context, key string) (string, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F("acct")})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

func (s *settingsStore) set(ctx context.Context, key, value string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F("acct"),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

func allowHost(ctx context.Context, host string) error {
	cur, err := sharedStoreOf().get(ctx, "config:hosts")
	if err != nil {
		return err
	}
	return sharedStoreOf().set(ctx, "config:hosts", cur+","+host) // want `read-modify-write on one KV key`
}

// Quiet: each call of fresh() makes a new store of its own namespace.
func fresh(ns string) *settingsStore { return &settingsStore{client: cloudflare.NewClient(), ns: ns} }

func copyHosts(ctx context.Context, from, to, host string) error {
	cur, err := fresh(from).get(ctx, "config:hosts")
	if err != nil {
		return err
	}
	return fresh(to).set(ctx, "config:hosts", cur+","+host)
}
