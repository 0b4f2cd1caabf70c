package kvttl

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type dockHold struct{ Arrival, SlotEnd time.Time }

// holdExpiry decides how long a hold lives; the configuration picks one.
type holdExpiry interface {
	TTL(h dockHold, now time.Time) time.Duration
}

type untilSlotEnd struct{}

func (untilSlotEnd) TTL(h dockHold, now time.Time) time.Duration {
	return max(h.SlotEnd.Sub(now), time.Minute)
}

type afterArrival struct{ window time.Duration }

func (a afterArrival) TTL(h dockHold, now time.Time) time.Duration {
	return max(h.Arrival.Sub(now)+2*a.window, 3*time.Second) // want `can be as low as 3s`
}

var holdExpiries = map[string]holdExpiry{"slot": untilSlotEnd{}, "walk-in": afterArrival{window: time.Minute}}

type docks struct {
	client  *cloudflare.Client
	account string
	ns      string
}

func (d *docks) write(ctx context.Context, key string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(d.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("held")),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := d.client.KV.Namespaces.Values.Update(ctx, d.ns, key, params)
	return err
}

// The lifetime is whichever policy's TTL the configuration chose: the
// walk-in one's clamp lets it fall to 3 s.
func (d *docks) place(ctx context.Context, h dockHold, policy string) error {
	return d.write(ctx, "hold:"+policy, holdExpiries[policy].TTL(h, time.Now()))
}

// pause stops deliveries to an endpoint for a while: a 429 for five
// minutes, anything else for thirty seconds.
func (d *docks) pause(ctx context.Context, endpoint string, status int) error {
	until := time.Now().Add(5 * time.Minute).Unix()
	if status != http.StatusTooManyRequests {
		until = time.Now().Unix() + 30
	}
	_, err := d.client.KV.Namespaces.Values.Update(ctx, d.ns, "pause:"+endpoint, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(d.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(status))),
		Expiration: cloudflare.F(float64(until)), // want `Expiration is time.Now\(\) plus 30s`
	})
	return err
}

// Quiet: both branches stay a minute or more ahead.
func (d *docks) pauseLonger(ctx context.Context, endpoint string, status int) error {
	until := time.Now().Add(5 * time.Minute).Unix()
	if status != http.StatusTooManyRequests {
		until = time.Now().Unix() + 90
	}
	_, err := d.client.KV.Namespaces.Values.Update(ctx, d.ns, "pause:"+endpoint, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(d.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(status))),
		Expiration: cloudflare.F(float64(until)),
	})
	return err
}
