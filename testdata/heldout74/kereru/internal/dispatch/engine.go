// Package dispatch assigns couriers to orders. One dispatcher actor per zone
// serialises assignments inside the zone.
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/cloudflare/cloudflare-go"

	"github.com/kereru-dispatch/kereru/internal/kvstore"
	"github.com/kereru-dispatch/kereru/internal/msgs"
)

// ErrTaken is returned when the order already has a courier.
var ErrTaken = errors.New("order already assigned")

// Dispatcher is one zone's dispatcher.
type Dispatcher struct {
	kv       *kvstore.Client
	zoneID   string
	orders   *actor.PID
	couriers *actor.PID
	maxLoad  int
}

// Props returns the dispatcher props for a zone.
func Props(kv *kvstore.Client, zoneID string, orders, couriers *actor.PID) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &Dispatcher{kv: kv, zoneID: zoneID, orders: orders, couriers: couriers, maxLoad: 3}
	})
}

// Receive implements actor.Actor.
func (d *Dispatcher) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *msgs.AssignRequest:
		courierID, err := d.assign(ctx, msg)
		ctx.Respond(&msgs.AssignReply{CourierID: courierID, Err: err})
	}
}

func (d *Dispatcher) assign(actx actor.Context, req *msgs.AssignRequest) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()

	best, bestLoad := "", math.MaxInt
	for _, c := range req.Candidates {
		load, err := d.load(ctx, c)
		if err != nil {
			continue
		}
		inZone, err := d.inZone(ctx, c, req.ZoneID)
		if err != nil || !inZone {
			continue
		}
		if load < bestLoad && load < d.maxLoad {
			best, bestLoad = c, load
		}
	}
	if best == "" {
		return "", fmt.Errorf("no courier available in %s", req.ZoneID)
	}
	if err := d.claim(ctx, req.OrderID, best); err != nil {
		return "", err
	}
	res, err := actx.RequestFuture(d.orders, &msgs.OrderEvent{OrderID: req.OrderID, Event: "assign", CourierID: best}, 5*time.Second).Result()
	if err != nil {
		return "", err
	}
	if snap, ok := res.(*msgs.OrderSnapshot); ok && snap.Err != "" {
		return "", errors.New(snap.Err)
	}
	actx.Send(d.couriers, &msgs.OrderAssigned{CourierID: best, OrderID: req.OrderID})
	return best, nil
}

// load reads the courier's active-order count as mirrored by its actor.
func (d *Dispatcher) load(ctx context.Context, courierID string) (int, error) {
	raw, err := d.kv.Get(ctx, kvstore.Couriers, "courier:"+courierID+":active_orders")
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// inZone reports whether the courier's session is for zoneID. Couriers who
// have not picked a zone yet may take orders anywhere.
func (d *Dispatcher) inZone(ctx context.Context, courierID, zoneID string) (bool, error) {
	raw, err := d.kv.GetWorkersKV(ctx, d.kv.RC(), cloudflare.GetWorkersKVParams{
		NamespaceID: d.kv.ID(kvstore.Couriers),
		Key:         "courier:" + courierID + ":zone",
	})
	if err != nil {
		return false, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return true, nil
	}
	return string(raw) == zoneID, nil
}

// claim records the courier as the order's assignee, refusing when the order
// already has one.
func (d *Dispatcher) claim(ctx context.Context, orderID, courierID string) error {
	key := "assign:order:" + orderID
	if _, err := d.kv.Get(ctx, kvstore.Orders, key); err == nil {
		return ErrTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return d.kv.PutTTL(ctx, kvstore.Orders, key, []byte(courierID), 12*time.Hour) // EXPECT kvrace
}
