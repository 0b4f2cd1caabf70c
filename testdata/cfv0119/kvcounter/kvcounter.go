// Package kvcounter holds kvcounter's cases on cloudflare-go v0.
package kvcounter

import (
	"context"
	"strconv"

	"github.com/cloudflare/cloudflare-go"
)

// Failed login attempts per user, counted in KV by a backend.
func recordFailure(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, user string) (int, error) {
	key := "login-attempts:" + user
	v, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key})
	if err != nil {
		v = []byte("0")
	}
	n, _ := strconv.Atoi(string(v))
	n++
	_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: []byte(strconv.Itoa(n))}) // want "counter kept in KV: this put writes back a count read from the same key"
	return n, err
}

// Quiet: a number that is not counted, under a key that names no count.
func saveVersion(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, major int) error {
	_, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: "schema", Value: []byte(strconv.Itoa(major*100 + 1))})
	return err
}
