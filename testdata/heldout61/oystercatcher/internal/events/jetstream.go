package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/boxoffice/oystercatcher/internal/kvstore"
	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

// Admissions consumes the waiting-room admission stream: the backend
// decides who may enter, the edge Worker reads the verdict from KV.
type Admissions struct {
	KV          *kvstore.Store
	AdmitWindow time.Duration
	PollTTL     time.Duration
}

type admission struct {
	Token    string `json:"token"`
	EventID  string `json:"event_id"`
	Position int    `json:"position"`
}

// Start attaches to the durable consumer and processes messages until the
// returned ConsumeContext is stopped.
func (a *Admissions) Start(ctx context.Context, js jetstream.JetStream, stream, durable string) (jetstream.ConsumeContext, error) {
	cons, err := js.Consumer(ctx, stream, durable)
	if err != nil {
		return nil, err
	}
	return cons.Consume(func(msg jetstream.Msg) {
		hctx, cancel := context.WithTimeout(ctx, handlerTimeout)
		defer cancel()
		a.handle(hctx, msg)
	})
}

func (a *Admissions) handle(ctx context.Context, msg jetstream.Msg) {
	var adm admission
	if err := json.Unmarshal(msg.Data(), &adm); err != nil {
		_ = msg.TermWithReason("undecodable admission")
		return
	}
	meta, err := msg.Metadata()
	if err != nil {
		_ = msg.Nak()
		return
	}
	// The admission is only good for AdmitWindow after the backend made it.
	remaining := a.AdmitWindow - time.Since(meta.Timestamp)
	if remaining <= 0 {
		_ = msg.TermWithReason("admission window passed while queued")
		return
	}
	if err := a.KV.Put(ctx, ticketing.AdmitKey(adm.Token)+":admitted", []byte(adm.EventID), remaining); err != nil { // EXPECT kvttl
		_ = msg.NakWithDelay(5 * time.Second)
		return
	}
	status, _ := json.Marshal(map[string]any{"position": adm.Position, "admitted": true})
	if err := a.KV.Put(ctx, "wr:status:"+adm.Token, status, a.PollTTL); err != nil { // DEBATABLE kvttl
		slog.WarnContext(ctx, "admission status", "token", adm.Token, "err", err)
	}
	_ = msg.Ack()
}
