package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/flowlib"
)

type activities struct{ s *store }

// StartCooldown marks a delivery as tried for window; the engine runs it.
func (a *activities) StartCooldown(ctx context.Context, id string, window time.Duration) error {
	_, err := a.s.client.KV.Namespaces.Values.Update(ctx, a.s.nsID, "cooldown:"+id, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(a.s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("1")),
		ExpirationTTL: cloudflare.F(window.Seconds()),
	})
	return err
}

// The engine calls the activity with the arguments that follow it: a
// window of 20 s reaches the put.
func deliver(ctx flowlib.Context, id string) error {
	var a *activities
	return flowlib.Execute(ctx, a.StartCooldown, id, 20*time.Second) // want `ExpirationTTL 20 \(passed to kvttl.StartCooldown\) is below KV's 60-second minimum`
}

// Quiet: a window of ten minutes.
func deliverSlowly(ctx flowlib.Context, id string) error {
	var a *activities
	return flowlib.Execute(ctx, a.StartCooldown, id, 10*time.Minute)
}

// Quiet: the arguments do not fill the activity's parameters, so which
// runs with what is the engine's to say.
func deliverPartly(ctx flowlib.Context, id string) error {
	var a *activities
	return flowlib.Execute(ctx, a.StartCooldown, 20*time.Second)
}

type backoff struct {
	Initial time.Duration
	Max     time.Duration
}

var deliveryBackoff = backoff{Initial: 5 * time.Second, Max: time.Minute}

var probeBackoff = backoff{Initial: time.Second, Max: 10 * time.Second}

// Quiet where the backoffs are declared: a field the engine's call reads
// is that call's value, not every value the field is given. (What the
// call computes from it is not known here.)
func deliverAfterBackoff(ctx flowlib.Context, id string) error {
	var a *activities
	return flowlib.Execute(ctx, a.StartCooldown, id, deliveryBackoff.Initial*4)
}

func probe() time.Duration { return probeBackoff.Initial + probeBackoff.Max }
