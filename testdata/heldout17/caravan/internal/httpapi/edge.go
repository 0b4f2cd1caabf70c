package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/caravan/internal/platform/clock"
)

// Edge holds the small amount of state the public edge keeps directly in the
// namespace: tracking page views and the fleet heartbeat of the status page.
type Edge struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
	Clock       clock.Clock
}

// CountView adds one view to a tracking page and returns the total.
func (e *Edge) CountView(ctx context.Context, trackingID string) (int64, error) {
	key := "views:" + trackingID
	var n int64
	resp, err := e.Client.KV.Namespaces.Values.Get(ctx, e.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(e.AccountID),
	})
	var apiErr *cloudflare.Error
	switch {
	case err == nil:
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return 0, rerr
		}
		n, _ = strconv.ParseInt(string(b), 10, 64)
	case !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound:
		return 0, err
	}
	n++
	_, err = e.Client.KV.Namespaces.Values.Update(ctx, e.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(e.AccountID),
		Value:         cloudflare.F(strconv.FormatInt(n, 10)),
		ExpirationTTL: cloudflare.F((30 * 24 * time.Hour).Seconds()),
	})
	return n, err
}

// Heartbeat records that driverID's app is alive, for the driver list and
// for the fleet-wide time of the latest heartbeat on the status page.
func (e *Edge) Heartbeat(ctx context.Context, driverID, now string) error {
	if _, err := e.Client.KV.Namespaces.Values.Update(ctx, e.NamespaceID, "hb:"+driverID, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(e.AccountID), Value: cloudflare.F(now), ExpirationTTL: cloudflare.F(600.0),
	}); err != nil {
		return err
	}
	_, err := e.Client.KV.Namespaces.Values.Update(ctx, e.NamespaceID, "fleet:heartbeat", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
		AccountID: cloudflare.F(e.AccountID),
		Value:     cloudflare.F(now),
	})
	return err
}
