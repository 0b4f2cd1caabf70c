// Package lease keeps background jobs from running on two instances at once.
// A lease is a small record naming the holder and when the hold ends.
package lease

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/units"
)

// ErrHeld means another holder has the lease.
var ErrHeld = errors.New("lease: held elsewhere")

type record struct {
	Holder ids.HolderID `json:"holder"`
	Until  time.Time    `json:"until"`
}

// Locker acquires leases for one holder.
type Locker struct {
	client    *cloudflare.Client
	accountID string
	namespace string
	holder    ids.HolderID
	hold      time.Duration
	now       func() time.Time
}

func New(client *cloudflare.Client, accountID, namespace string, holder ids.HolderID, hold time.Duration) *Locker {
	return &Locker{client: client, accountID: accountID, namespace: namespace, holder: holder, hold: hold, now: time.Now}
}

func leaseKey(job string) string { return url.PathEscape("lease/" + job) }

// Acquire takes the lease for job. The returned release func gives it back
// early; it is safe to call more than once.
func (l *Locker) Acquire(ctx context.Context, job string) (release func(), err error) {
	key := leaseKey(job)
	res, err := l.client.KV.Namespaces.Values.Get(ctx, l.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(l.accountID),
	})
	switch {
	case err == nil:
		var cur record
		derr := json.NewDecoder(res.Body).Decode(&cur)
		res.Body.Close()
		if derr == nil && cur.Holder != l.holder && l.now().Before(cur.Until) {
			return nil, fmt.Errorf("%w: %s by %s until %s", ErrHeld, job, cur.Holder, cur.Until.Format(time.RFC3339))
		}
	case !isNotFound(err):
		return nil, fmt.Errorf("lease: reading %s: %w", job, err)
	}

	body, err := json.Marshal(record{Holder: l.holder, Until: l.now().Add(l.hold)})
	if err != nil {
		return nil, err
	}
	_, err = l.client.KV.Namespaces.Values.Update(ctx, l.namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(l.accountID),
		Value:         cloudflare.F(string(body)),
		ExpirationTTL: cloudflare.F(float64(units.Seconds(l.hold))), // EXPECT kvttl
	})
	if err != nil {
		return nil, fmt.Errorf("lease: writing %s: %w", job, err)
	}

	released := false
	return func() {
		if released {
			return
		}
		released = true
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_, err := l.client.KV.Namespaces.Values.Delete(dctx, l.namespace, key, kv.NamespaceValueDeleteParams{
			AccountID: cloudflare.F(l.accountID),
		})
		if err != nil && !isNotFound(err) {
			slog.Warn("lease: release failed; it will lapse on its own", "job", job, "err", err)
		}
	}, nil
}

// Run runs fn under the lease for job and skips it quietly if the lease is
// held elsewhere.
func (l *Locker) Run(ctx context.Context, job string, fn func(context.Context) error) error {
	release, err := l.Acquire(ctx, job)
	if errors.Is(err, ErrHeld) {
		slog.Debug("lease: skipping job", "job", job, "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, l.hold)
	defer cancel()
	return fn(ctx)
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
