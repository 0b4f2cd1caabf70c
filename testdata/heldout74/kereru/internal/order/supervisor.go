package order

import (
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/kereru-dispatch/kereru/internal/kvstore"
	"github.com/kereru-dispatch/kereru/internal/msgs"
)

// Supervisor spawns one child actor per order and routes messages to it.
type Supervisor struct {
	kv       *kvstore.Client
	couriers *actor.PID
	children map[string]*actor.PID
}

// SupervisorProps returns the props for the order supervisor. Order actors
// that panic (for example on a KV outage during restore) are restarted up to
// five times a minute.
func SupervisorProps(kv *kvstore.Client, couriers *actor.PID) *actor.Props {
	strategy := actor.NewOneForOneStrategy(5, time.Minute, func(reason interface{}) actor.Directive {
		slog.Warn("order actor failed", "reason", reason)
		return actor.RestartDirective
	})
	return actor.PropsFromProducer(func() actor.Actor {
		return &Supervisor{kv: kv, couriers: couriers, children: map[string]*actor.PID{}}
	}, actor.WithSupervisor(strategy))
}

func (s *Supervisor) child(ctx actor.Context, orderID string) *actor.PID {
	if pid, ok := s.children[orderID]; ok {
		return pid
	}
	props := actor.PropsFromProducer(NewProducer(s.kv, orderID, s.couriers))
	pid, err := ctx.SpawnNamed(props, "order-"+orderID)
	if err != nil {
		pid = ctx.Spawn(props)
	}
	s.children[orderID] = pid
	ctx.Watch(pid)
	return pid
}

// Receive implements actor.Actor.
func (s *Supervisor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *msgs.PlaceOrder:
		ctx.Forward(s.child(ctx, msg.OrderID))
	case *msgs.OrderEvent:
		pid := s.child(ctx, msg.OrderID)
		ctx.Forward(pid)
		if msg.Event == "deliver" || msg.Event == "cancel" {
			// Give the child time to persist before it is stopped.
			ctx.ReenterAfter(ctx.RequestFuture(pid, &msgs.GetOrder{OrderID: msg.OrderID}, 5*time.Second), func(res interface{}, err error) {
				if snap, ok := res.(*msgs.OrderSnapshot); ok && (snap.State == Delivered || snap.State == Cancelled) {
					ctx.Poison(pid)
				}
			})
		}
	case *msgs.GetOrder:
		ctx.Forward(s.child(ctx, msg.OrderID))
	case *actor.Terminated:
		for id, pid := range s.children {
			if pid.Equal(msg.Who) {
				delete(s.children, id)
			}
		}
	}
}
