package courier

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/kereru-dispatch/kereru/internal/kvstore"
	"github.com/kereru-dispatch/kereru/internal/msgs"
)

// Supervisor owns the courier actors, one per courier on shift.
type Supervisor struct {
	kv       *kvstore.Client
	children map[string]*actor.PID
}

// SupervisorProps returns the props for the courier supervisor.
func SupervisorProps(kv *kvstore.Client) *actor.Props {
	decider := func(reason interface{}) actor.Directive {
		if errors.Is(asErr(reason), context.DeadlineExceeded) {
			return actor.ResumeDirective
		}
		return actor.RestartDirective
	}
	return actor.PropsFromProducer(func() actor.Actor {
		return &Supervisor{kv: kv, children: map[string]*actor.PID{}}
	}, actor.WithSupervisor(actor.NewOneForOneStrategy(10, time.Minute, decider)))
}

func asErr(v interface{}) error {
	if err, ok := v.(error); ok {
		return err
	}
	return fmt.Errorf("%v", v)
}

func (s *Supervisor) child(ctx actor.Context, courierID string) *actor.PID {
	if pid, ok := s.children[courierID]; ok {
		return pid
	}
	pid, err := ctx.SpawnNamed(actor.PropsFromProducer(func() actor.Actor {
		return &Actor{kv: s.kv, courierID: courierID}
	}), "courier-"+courierID)
	if err != nil {
		return nil
	}
	s.children[courierID] = pid
	ctx.Watch(pid)
	return pid
}

// Receive implements actor.Actor.
func (s *Supervisor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *msgs.StartShift:
		ctx.Forward(s.child(ctx, msg.CourierID))
	case *msgs.EndShift:
		ctx.Forward(s.child(ctx, msg.CourierID))
	case *msgs.PingBatch:
		ctx.Forward(s.child(ctx, msg.CourierID))
	case *msgs.OrderAssigned:
		ctx.Forward(s.child(ctx, msg.CourierID))
	case *msgs.OrderClosed:
		if msg.CourierID != "" {
			ctx.Forward(s.child(ctx, msg.CourierID))
		}
	case *TakeBreak:
		ctx.Forward(s.child(ctx, msg.CourierID))
	case *actor.Terminated:
		for id, pid := range s.children {
			if pid.Equal(msg.Who) {
				delete(s.children, id)
			}
		}
	}
}

// RefreshToken is the long-lived credential of the courier app.
type RefreshToken struct {
	CourierID string    `json:"courier_id"`
	Issued    time.Time `json:"issued"`
}

// RotateRefreshToken issues a new refresh token and retires the old one.
func RotateRefreshToken(ctx context.Context, kv *kvstore.Client, courierID, old string) (string, error) {
	raw, err := kv.Get(ctx, kvstore.Sessions, "refresh:"+old)
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", errors.New("refresh token unknown")
	}
	if err != nil {
		return "", err
	}
	_ = raw
	fresh := rand.Text()
	body := fmt.Appendf(nil, `{"courier_id":%q,"issued":%q}`, courierID, time.Now().UTC().Format(time.RFC3339))
	if err := kv.PutTTL(ctx, kvstore.Sessions, "refresh:"+fresh, body, 30*24*time.Hour); err != nil {
		return "", err
	}
	if err := kv.Delete(ctx, kvstore.Sessions, "refresh:"+old); err != nil { // EXPECT kvsession
		return "", err
	}
	return fresh, nil
}

// RevokeAll ends every session of a courier, used after a password change.
// Couriers hold at most a handful of sessions, so two pages are plenty.
func RevokeAll(ctx context.Context, kv *kvstore.Client, courierID string) error {
	prefix := fmt.Sprintf("session:courier:%s:", courierID)
	var keys []string
	cursor := ""
	for range 2 {
		page, err := kv.ListPage(ctx, kvstore.Sessions, prefix, cursor, 100)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			keys = append(keys, k.Name)
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	if len(keys) == 0 {
		return nil
	}
	return kv.DeleteMany(ctx, kvstore.Sessions, keys) // EXPECT kvsession
}

// RevokeAccessToken records a courier app access token as revoked until it
// would have expired anyway. The edge Worker refuses revoked tokens.
func RevokeAccessToken(ctx context.Context, kv *kvstore.Client, jti string, expires time.Time) error {
	if jti == "" || time.Until(expires) < time.Minute {
		return nil
	}
	return kv.PutUntil(ctx, kvstore.Sessions, "revoked:jti:"+jti, []byte("1"), expires) // EXPECT kvsession
}
