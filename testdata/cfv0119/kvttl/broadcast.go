package kvttl

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

const (
	surgeWindow = 10 * time.Minute
	burstWindow = 45 * time.Second
)

// A surge, written to KV and broadcast to the cluster's other nodes.
type surge struct {
	Zone     string
	ValidFor time.Duration
}

type engine struct {
	api     *cloudflare.API
	rc      *cloudflare.ResourceContainer
	ns      string
	publish func(surge)
}

func (e *engine) apply(ctx context.Context, s surge) error {
	body, _ := json.Marshal(s)
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: e.ns,
		KVs:         []*cloudflare.WorkersKVPair{{Key: "surge:" + s.Zone, Value: string(body), ExpirationTTL: int(s.ValidFor.Seconds())}},
	})
	return err
}

// The same window given twice, to the put and to the broadcast: one
// mistake, reported where it reaches the put.
func (e *engine) burst(ctx context.Context, zone string) error {
	if err := e.apply(ctx, surge{Zone: zone, ValidFor: burstWindow}); err != nil { // want `ExpirationTTL 45 \(passed to engine.apply\) is below KV's 60-second minimum`
		return err
	}
	e.publish(surge{Zone: zone, ValidFor: burstWindow})
	return nil
}

// A broadcast alone, of a window kept in the field that the put reads, is
// reported where it is given.
func (e *engine) announce(zone string) {
	e.publish(surge{Zone: zone, ValidFor: burstWindow}) // want `ExpirationTTL 45 \(kept in surge.ValidFor, which a later bulk put reads\)`
}

// Quiet: a window of ten minutes, given twice.
func (e *engine) raise(ctx context.Context, zone string) error {
	e.publish(surge{Zone: zone, ValidFor: surgeWindow})
	return e.apply(ctx, surge{Zone: zone, ValidFor: surgeWindow})
}
