package kvttl

import (
	"context"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"kvlint.test/cfv3/calendar"
)

// Lifetimes sent as query parameters among the request options, where
// v3's single-value write has no field for them.

type writeConfig struct{ ttl time.Duration }

type WriteOption func(*writeConfig)

func WithLifetime(d time.Duration) WriteOption { return func(c *writeConfig) { c.ttl = d } }

func (s *Store) Write(ctx context.Context, key, value string, opts ...WriteOption) error {
	var cfg writeConfig
	for _, o := range opts {
		o(&cfg)
	}
	var reqOpts []option.RequestOption
	if cfg.ttl > 0 {
		reqOpts = append(reqOpts, option.WithQuery("expiration_ttl", strconv.FormatInt(int64(cfg.ttl/time.Second), 10)))
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(value),
		Metadata:  cloudflare.F("{}"),
	}, reqOpts...)
	return err
}

func (s *Store) writePreview(ctx context.Context, id, body string) error {
	return s.Write(ctx, "preview:"+id, body, WithLifetime(30*time.Second)) // want `ExpirationTTL 30 \(passed to WithLifetime, which keeps it in writeConfig.ttl\) is below KV's 60-second minimum`
}

// What is left of the month, counted down by a helper of another package.
func (s *Store) writeTrial(ctx context.Context, id, body string, loc *time.Location) error {
	return s.Write(ctx, "trial:"+id, body, WithLifetime(calendar.UntilEndOfMonth(time.Now(), loc))) // want `counted down to a moment at run time`
}

// Quiet: an hour, and what is left of the month kept at a minute or more.
func (s *Store) writeDigest(ctx context.Context, id, body string) error {
	return s.Write(ctx, "digest:"+id, body, WithLifetime(time.Hour))
}

func (s *Store) writeTrialFloored(ctx context.Context, id, body string, loc *time.Location) error {
	return s.Write(ctx, "trial:"+id, body, WithLifetime(calendar.AtLeastAMinute(calendar.UntilEndOfMonth(time.Now(), loc))))
}

// A direct write with the option in place.
func (s *Store) writeDirect(ctx context.Context, key, value string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(value),
		Metadata:  cloudflare.F("{}"),
	}, option.WithQuery("expiration_ttl", strconv.Itoa(45))) // want `ExpirationTTL 45 is below KV's 60-second minimum`
	return err
}
