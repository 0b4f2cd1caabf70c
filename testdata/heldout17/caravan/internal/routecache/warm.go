package routecache

import (
	"context"
	"encoding/json"

	"example.com/caravan/internal/storage"
)

// Purge removes every cached route of profile, e.g. after the road network
// data was updated.
func (c *Cache) Purge(ctx context.Context, profile string) (int, error) {
	l, ok := storage.As[storage.Lister](c.Store)
	if !ok {
		return 0, storage.ErrUnsupported
	}
	removed := 0
	for k, err := range storage.Keys(ctx, l, "route:"+profile+":", 1000) { // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if err := c.Store.Delete(ctx, k.Name); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}

// depotLoop is the standard morning loop of the central depot, as produced by
// the routing engine's encoded polyline format.
const depotLoop = "u{~vFvyys@fS]bAxCpBjDxAfDrA`DdAfCjAlC|@vB~@|BjAxCbB`E`AvBfAhC~@|BbAnCpA|CrAbDbA~BfAjC" +
	"jAvCbAfCx@nBfAhClAvCfAlChAtClA|ChAtCjAzCbAhCn@bBj@tAx@vBr@fBp@bBp@dBt@jBt@lBr@fBp@`Br@fB" +
	"t@hBt@jBr@dBr@fBn@~Ap@bBp@dBr@fBt@lBp@bBn@~An@`Bp@dBt@jBt@nBr@fBp@`Bp@bBr@fBv@lBt@lBn@~A" +
	"p@bBr@fBr@hBt@jBr@fBp@`Bp@bBr@dBt@lBr@hBn@~Ap@bBr@fBt@jBr@fBp@`Br@fBt@lBt@jBn@`Bp@bBp@dB" +
	"t@jBr@hBr@dBp@bBr@fBt@jBt@lBp@bBn@~Ap@dBr@fBt@jBr@fBp@bBr@dBt@lBr@hBn@`Bp@bBr@fBt@jBr@fB" +
	"p@`Bp@bBr@fBt@lBt@jBn@~Ap@bBp@dBt@jBr@hBr@dBp@bBr@fBt@jBt@lBp@bBn@~Ap@dBr@fBt@jBr@fBp@bB" +
	"r@dBt@lBr@hBn@`Bp@bBr@fBt@jBr@fBp@`Bp@bBr@fBt@lBt@jBn@~Ap@bBp@dBt@jBr@hBr@dBp@bBr@fBt@jB"

// CacheDepotLoop stores the standard loop under its polyline so that drivers'
// apps can fetch it without a routing call.
func (c *Cache) CacheDepotLoop(ctx context.Context, profile string) error {
	r, err := c.Router.Route(ctx, profile, "depot:central", "depot:central")
	if err != nil {
		return err
	}
	r.Polyline = depotLoop
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return c.Store.Put(ctx, "route:poly:"+depotLoop, body, 0) // EXPECT kvlimits
}
