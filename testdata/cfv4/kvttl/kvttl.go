// Package kvttl holds kvttl's cases for github.com/cloudflare/cloudflare-go/v4:
// the same generated API under another major version.
package kvttl

import (
	"context"
	"errors"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

const ttlSeconds = 40

func put(ctx context.Context, token, account, ns, key, v string) error {
	client := cloudflare.NewClient(option.WithAPIToken(token))
	_, err := client.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F(v),
		ExpirationTTL: cloudflare.F[float64](ttlSeconds), // want `ExpirationTTL 40 is below KV's 60-second minimum`
	})
	if err != nil {
		return err
	}
	_, err = client.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F(v),
		ExpirationTTL: cloudflare.F[float64](ttlSeconds * 60),
	})
	return err
}

const cooldownSeconds = 90

type apiError struct{ StatusCode int }

func (e *apiError) Error() string { return "api" }

func isNotFound(err error) bool {
	var apiErr *apiError
	return errors.As(err, &apiErr) && apiErr.StatusCode == 404
}

// The put runs when the check found no cooldown: isNotFound may be true,
// so the relative seconds given as an absolute Expiration are checked.
func startCooldown(ctx context.Context, client *cloudflare.Client, account, ns, key string, read func() error) error {
	if err := read(); err == nil {
		return nil
	} else if !isNotFound(err) {
		return err
	}
	_, err := client.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(account),
		Value:      cloudflare.F("1"),
		Expiration: cloudflare.F(float64(cooldownSeconds)), // want `Expiration 90 is 1970-01-01, in the past`
	})
	return err
}
