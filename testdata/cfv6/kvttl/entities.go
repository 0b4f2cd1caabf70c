package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Records that know their own key and lifetime, saved by one helper: the
// lifetime is the method of the type each caller passes.
type entity interface {
	Key() string
	TTL() time.Duration
}

type seatHold struct{ Seat string }

func (h seatHold) Key() string        { return "hold:" + h.Seat }
func (h seatHold) TTL() time.Duration { return 20 * time.Second }

type boardingPass struct{ Seat string }

func (p boardingPass) Key() string        { return "pass:" + p.Seat }
func (p boardingPass) TTL() time.Duration { return 6 * time.Hour }

func saveEntity[T entity](ctx context.Context, c *cloudflare.Client, v T) error {
	_, err := c.KV.Namespaces.Values.Update(ctx, "ns", v.Key(), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("{}")),
		ExpirationTTL: cloudflare.F(v.TTL().Seconds()),
	})
	return err
}

func saveRecord(ctx context.Context, c *cloudflare.Client, v entity) error {
	_, err := c.KV.Namespaces.Values.Update(ctx, "ns", v.Key(), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("{}")),
		ExpirationTTL: cloudflare.F(v.TTL().Seconds()),
	})
	return err
}

func holdSeat(ctx context.Context, c *cloudflare.Client, seat string) error {
	return saveEntity(ctx, c, seatHold{Seat: seat}) // want `ExpirationTTL 20 \(passed to saveEntity\) is below`
}

func holdSeatAgain(ctx context.Context, c *cloudflare.Client, seat string) error {
	return saveRecord(ctx, c, seatHold{Seat: seat}) // want `ExpirationTTL 20 \(passed to saveRecord\) is below`
}

// Quiet: six hours.
func issuePass(ctx context.Context, c *cloudflare.Client, seat string) error {
	if err := saveEntity(ctx, c, boardingPass{Seat: seat}); err != nil {
		return err
	}
	return saveRecord(ctx, c, boardingPass{Seat: seat})
}

// A helper that returns a key and its lifetime together: the lifetime is
// reported where it is written.
func holdEntry(seat string) (string, time.Duration) {
	return "hold:" + seat, 45 * time.Second // want `ExpirationTTL 45 is below`
}

func passEntry(seat string) (string, time.Duration) { return "pass:" + seat, 6 * time.Hour }

func holdByEntry(ctx context.Context, c *cloudflare.Client, seat string) error {
	key, ttl := holdEntry(seat)
	_, err := c.KV.Namespaces.Values.Update(ctx, "ns", key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("{}")),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}

// Quiet: six hours.
func passByEntry(ctx context.Context, c *cloudflare.Client, seat string) error {
	key, ttl := passEntry(seat)
	_, err := c.KV.Namespaces.Values.Update(ctx, "ns", key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("{}")),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}
