// Package kvnull holds kvnull's cases for github.com/cloudflare/cloudflare-go/v2,
// whose get returns the value as a *string and a missing key as a 404 error.
package kvnull

import (
	"context"
	"errors"
	"fmt"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

type Inspector struct {
	client  *cloudflare.Client
	account string
	ns      string
}

func (i *Inspector) get(ctx context.Context, key string) (*string, error) {
	return i.client.KV.Namespaces.Values.Get(ctx, i.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(i.account)})
}

// Describe returns the error of a miss, then looks for one in the text
// that came back with no error.
func (i *Inspector) Describe(ctx context.Context, key string) (string, error) {
	v, err := i.client.KV.Namespaces.Values.Get(ctx, i.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(i.account)})
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", key, err)
	}
	if *v == "" { // want "this miss check is never true for a missing key"
		return key + ": no such key", nil
	}
	return fmt.Sprintf("%s: %d bytes", key, len(*v)), nil
}

// Size does the same through a helper that hands the SDK's result on.
func (i *Inspector) Size(ctx context.Context, key string) (int, error) {
	v, err := i.get(ctx, key)
	if err != nil {
		return 0, err
	}
	if len(*v) == 0 { // want "this miss check is never true for a missing key"
		return -1, nil
	}
	return len(*v), nil
}

// Exists tells the 404 apart: the empty check after it is about an empty
// value, which KV stores as it is.
func (i *Inspector) Exists(ctx context.Context, key string) (bool, bool, error) {
	v, err := i.client.KV.Namespaces.Values.Get(ctx, i.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(i.account)})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == 404 {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return true, *v == "", nil
}
