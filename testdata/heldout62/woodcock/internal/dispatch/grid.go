package dispatch

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/fleetbite/woodcock/internal/kvstore"
)

const (
	gridSide  = 128
	gridCells = gridSide * gridSide
)

// GridActivities precompute the coarse ETA grid the edge falls back to when
// the router is down. Registered with the Temporal worker; the grid workflow
// runs every six hours per city.
type GridActivities struct {
	KV *kvstore.Namespace
}

// RebuildEtaGrid writes one base travel time per grid cell of a city.
func (a *GridActivities) RebuildEtaGrid(ctx context.Context, city string, kmPerCell float64) (int, error) {
	cells := make([]kv.NamespaceBulkUpdateParamsBody, 0, gridCells)
	for i := range gridCells {
		row, col := i/gridSide, i%gridSide
		dist := math.Hypot(float64(row-gridSide/2), float64(col-gridSide/2)) * kmPerCell
		minutes := 8 + int(math.Ceil(dist*3))
		cells = append(cells, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("grid:%s:%03d:%03d", city, row, col)),
			Value:         cloudflare.F(fmt.Sprint(minutes)),
			ExpirationTTL: cloudflare.F(7 * 3600.0),
		})
	}
	res, err := a.KV.API().KV.Namespaces.BulkUpdate(ctx, a.KV.ID(), kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(a.KV.AccountID()), Body: cells}) // EXPECT kvlimits
	if err != nil {
		return 0, err
	}
	return int(res.SuccessfulKeyCount), nil
}

// GridWorkflow rebuilds the ETA grid of every city.
func GridWorkflow(ctx workflow.Context, cities map[string]float64) error {
	var a *GridActivities
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	for city, kmPerCell := range cities {
		if err := workflow.ExecuteActivity(ctx, a.RebuildEtaGrid, city, kmPerCell).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}
