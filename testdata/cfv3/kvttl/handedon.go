package kvttl

import (
	"context"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// Request options built by one method and handed to the helper that
// sends them: the lifetime is the callers' of Put.

type certStore struct {
	client      *cloudflare.Client
	ns, account string
}

func (s *certStore) send(ctx context.Context, key, value string, opts []option.RequestOption) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(value),
		Metadata:  cloudflare.F("{}"),
	}, opts...)
	return err
}

func (s *certStore) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	var opts []option.RequestOption
	if ttl > 0 {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds()))))
	}
	return s.send(ctx, key, value, opts)
}

func (s *certStore) PutUntil(ctx context.Context, key, value string, at time.Time) error {
	return s.send(ctx, key, value, []option.RequestOption{option.WithQuery("expiration", strconv.FormatInt(at.Unix(), 10))})
}

func (s *certStore) holdChallenge(ctx context.Context, token, body string) error {
	return s.Put(ctx, "acme:"+token, body, 45*time.Second) // want `ExpirationTTL 45 \(passed to certStore.Put\) is below KV's 60-second minimum`
}

func (s *certStore) holdCert(ctx context.Context, name, body string, notAfter time.Time) error {
	return s.Put(ctx, "cert:"+name, body, time.Until(notAfter)) // want `counted down to a moment at run time`
}

// Quiet: lifetimes of a minute or more, none, and a moment a day ahead.
func (s *certStore) holdAccount(ctx context.Context, name, body string) error {
	if err := s.Put(ctx, "acct:"+name, body, 0); err != nil {
		return err
	}
	return s.Put(ctx, "acct-cache:"+name, body, 10*time.Minute)
}

func (s *certStore) holdUntilTomorrow(ctx context.Context, name, body string) error {
	return s.PutUntil(ctx, "day:"+name, body, time.Now().Add(24*time.Hour))
}
