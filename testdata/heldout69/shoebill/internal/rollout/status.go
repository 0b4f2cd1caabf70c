package rollout

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/protocol"

	"github.com/shoebill-iot/shoebill/internal/fleet"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

// Status answers status queries with a reply event. It is the handler of
// the request/response receiver.
func (r *Receiver) Status(e event.Event) (*event.Event, protocol.Result) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if e.Type() != TypeStatusQuery {
		return nil, cloudevents.NewHTTPResult(http.StatusBadRequest, "unexpected type %q", e.Type())
	}
	id := rolloutID(e)
	ro, err := r.load(ctx, id)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, cloudevents.NewHTTPResult(http.StatusNotFound, "rollout %s", id)
	}
	if err != nil {
		return nil, cloudevents.NewHTTPResult(http.StatusServiceUnavailable, "%v", err)
	}
	done := 0
	if raw, ok, err := r.KV.Lookup(ctx, fleet.RolloutDoneKey(id)); err == nil && ok {
		done, _ = strconv.Atoi(string(raw))
	}
	_, held, _ := r.KV.Lookup(ctx, fleet.RolloutHoldKey(id))

	reply := event.New()
	reply.SetID(e.ID() + "-reply")
	reply.SetSource("shoebill/rollout")
	reply.SetType(TypeStatusReply)
	reply.SetSubject(id)
	if err := reply.SetData(cloudevents.ApplicationJSON, map[string]any{
		"rollout": ro,
		"done":    done,
		"held":    held,
	}); err != nil {
		return nil, cloudevents.NewHTTPResult(http.StatusInternalServerError, "%v", err)
	}
	return &reply, cloudevents.ResultACK
}
