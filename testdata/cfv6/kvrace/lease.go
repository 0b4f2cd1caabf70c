package kvrace

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

var errHeld = errors.New("lease held")

type lease struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
}

type locker struct {
	client  *cloudflare.Client
	account string
	ns      string
	me      string
	now     func() time.Time
}

func (l *locker) write(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = l.client.KV.Namespaces.Values.Update(ctx, l.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(l.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(b))),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}

// A lease taken when the one stored is another's and still running is
// refused, else written over: two replicas can both find it expired.
func (l *locker) acquire(ctx context.Context, job string) error {
	key := "lease:" + job
	resp, err := l.client.KV.Namespaces.Values.Get(ctx, l.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)})
	if err == nil {
		var cur lease
		derr := json.NewDecoder(resp.Body).Decode(&cur)
		resp.Body.Close()
		if derr == nil && cur.Holder != l.me && l.now().Before(cur.Until) {
			return errHeld
		}
	}
	return l.write(ctx, key, lease{Holder: l.me, Until: l.now().Add(5 * time.Minute)}, 5*time.Minute) // want `check-then-set on one KV key: the value read on line 46 decides whether this request may take the key`
}

// Quiet: a cache whose fresh value is returned, and refilled when stale.
func (l *locker) report(ctx context.Context, job string, build func() string) (string, error) {
	key := "report:" + job
	resp, err := l.client.KV.Namespaces.Values.Get(ctx, l.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)})
	if err == nil {
		var cur struct {
			Body  string
			Until time.Time
		}
		derr := json.NewDecoder(resp.Body).Decode(&cur)
		resp.Body.Close()
		if derr == nil && l.now().Before(cur.Until) {
			return cur.Body, nil
		}
	}
	body := build()
	return body, l.write(ctx, key, struct {
		Body  string
		Until time.Time
	}{body, l.now().Add(time.Hour)}, time.Hour)
}

// Quiet: a cooldown marker, the time of the last send, refused while it
// is recent; the write records that something happened.
func (l *locker) remind(ctx context.Context, user string, send func() error) error {
	key := "reminded:" + user
	resp, err := l.client.KV.Namespaces.Values.Get(ctx, l.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)})
	if err == nil {
		var last time.Time
		derr := json.NewDecoder(resp.Body).Decode(&last)
		resp.Body.Close()
		if derr == nil && l.now().Sub(last) < time.Hour {
			return errHeld
		}
	}
	if err := send(); err != nil {
		return err
	}
	return l.write(ctx, key, l.now(), time.Hour)
}

// Quiet for kvrace: a cursor read once and saved after every event is
// kvhotkey's finding, the writes in the loop.
func (l *locker) relay(ctx context.Context, stream string, events []int, deliver func(int) error) error {
	key := "cursor:" + stream
	resp, err := l.client.KV.Namespaces.Values.Get(ctx, l.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.account)})
	after := 0
	if err == nil {
		_ = json.NewDecoder(resp.Body).Decode(&after)
		resp.Body.Close()
	}
	for _, ev := range events {
		if ev <= after {
			continue
		}
		if err := deliver(ev); err != nil {
			return err
		}
		if err := l.write(ctx, key, ev, time.Hour); err != nil {
			return err
		}
	}
	return nil
}
