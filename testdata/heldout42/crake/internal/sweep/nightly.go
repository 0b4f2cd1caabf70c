//go:build js && wasm

package sweep

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/crake-mobility/crake/internal/kvstore"
)

const (
	heatmapW       = 4096
	heatmapH       = 2048
	exportLifetime = 8 * 24 * time.Hour
	maxRidePages   = 50
)

// Nightly builds the per-day exports the back office downloads.
type Nightly struct {
	Store *kvstore.Store
}

type rideRow struct {
	RideID  string `json:"rideId"`
	Started string `json:"started"`
}

// collectRides lists the rides started in the last day.
func (n *Nightly) collectRides(ctx context.Context) ([]rideRow, error) {
	var rows []rideRow
	opts := &kv.ListOptions{Prefix: "ride-started:", Limit: 2000} // EXPECT kvlimits
	for page := 0; page < maxRidePages; page++ {
		res, err := n.Store.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			rows = append(rows, rideRow{RideID: strings.TrimPrefix(k.Name, "ride-started:")})
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return rows, nil
}

// Run writes the ride log and the heatmap for day.
func (n *Nightly) Run(ctx context.Context, day time.Time) error {
	rows, err := n.collectRides(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	stamp := day.UTC().Format("2006-01-02")
	if err := n.Store.PutLarge(ctx, "export:rides:"+stamp, buf.Bytes(), exportLifetime); err != nil {
		return err
	}

	raster := make([]byte, heatmapW*heatmapH*4)
	for i := range rows {
		cell := (i * 7919) % (heatmapW * heatmapH)
		v := binary.LittleEndian.Uint32(raster[cell*4:])
		binary.LittleEndian.PutUint32(raster[cell*4:], v+1)
	}
	opts := &kv.PutOptions{ExpirationTTL: int(exportLifetime.Seconds())}
	if err := n.Store.Namespace().PutReader("export:heatmap:"+stamp, bytes.NewReader(raster), opts); err != nil { // EXPECT kvlimits
		return err
	}
	return n.Store.Put(ctx, "export:latest", map[string]string{"day": stamp}, 0)
}
