package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type retryPolicy struct {
	Initial     time.Duration
	MaxAttempts int32
}

type activityOptions struct {
	Timeout time.Duration
	Retry   *retryPolicy
}

type holdInput struct {
	Order   string
	HoldFor time.Duration
}

func (s *store) hold(ctx context.Context, in holdInput) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, "hold:"+in.Order, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("1")),
		ExpirationTTL: cloudflare.F(in.HoldFor.Seconds()),
	})
	return err
}

// The hold lasts as long as every attempt may take: 15 s times 3, read
// from the options built here, the retry policy a literal held by
// pointer. It is the product that is too short, not the count of
// attempts (nor another policy's).
func (s *store) reserve(ctx context.Context, order string) error {
	opts := activityOptions{
		Timeout: 15 * time.Second,
		Retry: &retryPolicy{
			Initial:     time.Second,
			MaxAttempts: 3,
		},
	}
	return s.hold(ctx, holdInput{
		Order:   order,
		HoldFor: opts.Timeout * time.Duration(opts.Retry.MaxAttempts), // want `ExpirationTTL 45 \(passed to store.hold\) is below KV's 60-second minimum`
	})
}

// Quiet: a policy of five attempts for something else.
func paymentOptions() activityOptions {
	return activityOptions{Timeout: 10 * time.Second, Retry: &retryPolicy{MaxAttempts: 5}}
}
