// Package kvcounter holds kvcounter's cases on cloudflare-go v0.30, with
// the old method names.
package kvcounter

import (
	"context"
	"strconv"

	"github.com/cloudflare/cloudflare-go"
)

// A download counter.
func bump(ctx context.Context, api *cloudflare.API, ns string) error {
	v, err := api.ReadWorkersKV(ctx, ns, "downloads")
	if err != nil {
		return err
	}
	n, _ := strconv.ParseInt(string(v), 10, 64)
	_, err = api.WriteWorkersKV(ctx, ns, "downloads", []byte(strconv.FormatInt(n+1, 10))) // want "counter kept in KV"
	return err
}
