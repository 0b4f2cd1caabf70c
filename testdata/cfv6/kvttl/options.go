package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/putopts"
)

// Options given to a store of another package, which picks them from its
// variadic parameter and copies them before it sends them.
func preview(ctx context.Context, docs *putopts.Store, id string) error {
	return docs.Put(ctx, "preview:"+id, "{}", putopts.Options{
		ExpireAt: time.Now().Add(30 * time.Second), // want `Expiration is time.Now\(\) plus 30s \(passed to putopts.Put\), less than`
	})
}

func reissue(ctx context.Context, docs *putopts.Store, id string, expires time.Time) error {
	return docs.Put(ctx, "link:"+id, "{}", putopts.Options{
		TTL: time.Until(expires), // want `ExpirationTTL \(passed to putopts.Put\) is counted down to a moment at run time`
	})
}

// Quiet: a lifetime of an hour, and the store's defaults.
func publish(ctx context.Context, docs *putopts.Store, id string) error {
	if err := docs.Put(ctx, "page:"+id, "{}", putopts.Options{ExpireAt: time.Now().Add(time.Hour)}); err != nil {
		return err
	}
	return docs.Put(ctx, "draft:"+id, "{}")
}

// putOptions are the options of this package's own helpers.
type putOptions struct {
	Expiration int64
	Tag        string
}

// putTagged copies the caller's options and completes them.
func (s *store) putTagged(ctx context.Context, key, v string, opts putOptions) error {
	opts.Tag = "tagged"
	return s.putWith(ctx, key, v, opts)
}

// putVariadic takes its options from a variadic parameter.
func (s *store) putVariadic(ctx context.Context, key, v string, opts ...putOptions) error {
	var o putOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	return s.putWith(ctx, key, v, o)
}

func (s *store) putWith(ctx context.Context, key, v string, opts putOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
	}
	if opts.Expiration > 0 {
		params.Expiration = cloudflare.F(float64(opts.Expiration))
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, params)
	return err
}

func (s *store) shortLived(ctx context.Context, id string) error {
	if err := s.putTagged(ctx, "a:"+id, "{}", putOptions{
		Expiration: time.Now().Add(45 * time.Second).Unix(), // want `Expiration is time.Now\(\) plus 45s \(passed to store.putTagged\), less than`
	}); err != nil {
		return err
	}
	return s.putVariadic(ctx, "b:"+id, "{}", putOptions{
		Expiration: time.Now().Add(20 * time.Second).Unix(), // want `Expiration is time.Now\(\) plus 20s \(passed to store.putVariadic\), less than`
	})
}

// Quiet: five minutes ahead, and no options at all.
func (s *store) longLived(ctx context.Context, id string) error {
	if err := s.putTagged(ctx, "c:"+id, "{}", putOptions{Expiration: time.Now().Add(5 * time.Minute).Unix()}); err != nil {
		return err
	}
	return s.putVariadic(ctx, "d:"+id, "{}")
}

// A lifetime converted by a helper of another package: what it is given
// is checked as it converts it.
func (s *store) resendMarker(ctx context.Context, user string, window time.Duration) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, "resend:"+user, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("1")),
		ExpirationTTL: cloudflare.F(float64(putopts.SecondsOf(max(2*window, 10*time.Second)))), // want `ExpirationTTL can be as low as 10s, below`
	})
	return err
}

func (s *store) pinMarker(ctx context.Context, user string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, "pin:"+user, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("1")),
		ExpirationTTL: cloudflare.F(float64(putopts.SecondsOf(45 * time.Second))), // want `ExpirationTTL 45 is below`
	})
	return err
}

// Quiet: a floor of two minutes, and a fixed hour.
func (s *store) longMarkers(ctx context.Context, user string, window time.Duration) error {
	for _, ttl := range []putopts.Seconds{putopts.SecondsOf(max(window, 2*time.Minute)), putopts.SecondsOf(time.Hour)} {
		_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, "m:"+user, kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(s.accountID),
			Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("1")),
			ExpirationTTL: cloudflare.F(float64(ttl)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// A service that copies its defaults for each call and changes the copy.
type statusBoard struct {
	docs     *putopts.Store
	defaults putopts.Options
}

const statusRefresh = 15 * time.Second

func (b *statusBoard) send(ctx context.Context, key, v string, o putopts.Options) error {
	return b.docs.Put(ctx, key, v, o)
}

// Reported where the copy's lifetime is set.
func (b *statusBoard) status(ctx context.Context, id, state string) error {
	o := b.defaults
	o.TTL = statusRefresh // want `ExpirationTTL 15 .*is below`
	return b.send(ctx, "status:"+id, state, o)
}

// Quiet: the copy's lifetime raised to a minute first.
func (b *statusBoard) logTail(ctx context.Context, id, tail string, ttl time.Duration) error {
	o := b.defaults
	o.TTL = max(ttl, time.Minute)
	return b.send(ctx, "log:"+id, tail, o)
}
