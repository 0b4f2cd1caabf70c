// Package lock is a lease lock kept in Workers KV, used so that only one
// dunning runner works at a time.
package lock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/ledgerline/nightjar/internal/kvx"
)

var (
	// ErrHeld is returned by Acquire while another owner holds the lease.
	ErrHeld = errors.New("lock: held by another owner")
	// ErrLost is returned by Renew when the lease was taken over.
	ErrLost = errors.New("lock: lease lost")
)

type leaseDoc struct {
	Owner string    `json:"owner"`
	Token string    `json:"token"`
	Until time.Time `json:"until"`
}

// Lock is a held lease.
type Lock struct {
	c       *kvx.Client
	key     string
	owner   string
	token   string
	lease   time.Duration
	until   time.Time
	renewed time.Time
}

// Acquire takes the lease at key for leaseFor, unless someone else holds an
// unexpired lease.
func Acquire(ctx context.Context, c *kvx.Client, key, owner string, leaseFor time.Duration) (*Lock, error) {
	raw, err := c.Get(ctx, key)
	switch {
	case err == nil:
		var cur leaseDoc
		if json.Unmarshal(raw, &cur) == nil && time.Now().Before(cur.Until) {
			return nil, fmt.Errorf("%w (%s until %s)", ErrHeld, cur.Owner, cur.Until.Format(time.RFC3339))
		}
	case !kvx.IsMissing(err):
		return nil, err
	}
	l := &Lock{c: c, key: key, owner: owner, token: newToken(), lease: leaseFor}
	l.until = time.Now().Add(leaseFor)
	b, err := json.Marshal(leaseDoc{Owner: owner, Token: l.token, Until: l.until})
	if err != nil {
		return nil, err
	}
	if err := c.PutUntil(ctx, key, b, l.until); err != nil { // EXPECT kvrace
		return nil, err
	}
	l.renewed = time.Now()
	return l, nil
}

// Renew extends the lease by its original length.
func (l *Lock) Renew(ctx context.Context) error {
	raw, err := l.c.Get(ctx, l.key)
	if err != nil {
		return fmt.Errorf("lock: renew: %w", err)
	}
	var cur leaseDoc
	if err := json.Unmarshal(raw, &cur); err != nil || cur.Token != l.token {
		return ErrLost
	}
	l.until = time.Now().Add(l.lease)
	b, err := json.Marshal(leaseDoc{Owner: l.owner, Token: l.token, Until: l.until})
	if err != nil {
		return err
	}
	cf, account, ns := l.c.SDK()
	_, err = cf.KV.Namespaces.Values.Update(ctx, ns, l.key, kv.NamespaceValueUpdateParams{ // DEBATABLE kvrace
		AccountID:  cloudflare.F(account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		Expiration: cloudflare.F(float64(l.until.UnixMilli())), // EXPECT kvttl
	})
	if err == nil {
		l.renewed = time.Now()
	}
	return err
}

// RenewIfDue renews once a third of the lease has passed since the last
// renewal, and is cheap to call often.
func (l *Lock) RenewIfDue(ctx context.Context) error {
	if time.Since(l.renewed) < l.lease/3 {
		return nil
	}
	return l.Renew(ctx)
}

// Release gives the lease up if it is still ours.
func (l *Lock) Release(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	raw, err := l.c.Get(ctx, l.key)
	if kvx.IsMissing(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var cur leaseDoc
	if json.Unmarshal(raw, &cur) == nil && cur.Token != l.token {
		return nil
	}
	return l.c.Delete(ctx, l.key)
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
