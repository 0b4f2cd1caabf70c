package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/fleetwire/snipe/internal/fleet"
)

// reportAckWait is how long JetStream waits for our ack before redelivering.
const reportAckWait = 30 * time.Second

type firmwareReport struct {
	Device    string `json:"device"`
	RolloutID string `json:"rollout_id"`
	Firmware  string `json:"firmware"`
	Status    string `json:"status"`
	Detail    string `json:"detail,omitempty"`
}

// ConsumeFirmwareReports applies devices' install reports to their rollouts.
func (s *Subscribers) ConsumeFirmwareReports(ctx context.Context, js jetstream.JetStream) (jetstream.ConsumeContext, error) {
	cons, err := js.CreateOrUpdateConsumer(ctx, s.cfg.NATS.Stream, jetstream.ConsumerConfig{
		Durable:       s.cfg.NATS.Durable,
		FilterSubject: "firmware.reports.>",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       reportAckWait,
		MaxDeliver:    5,
	})
	if err != nil {
		return nil, err
	}
	return cons.Consume(func(msg jetstream.Msg) {
		if err := s.applyReport(msg); err != nil {
			s.log.Warn("firmware report not applied", "subject", msg.Subject(), "err", err)
			_ = msg.NakWithDelay(10 * time.Second)
			return
		}
		_ = msg.Ack()
	})
}

func (s *Subscribers) applyReport(msg jetstream.Msg) error {
	meta, err := msg.Metadata()
	if err != nil {
		return err
	}
	var rep firmwareReport
	if err := json.Unmarshal(msg.Data(), &rep); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), reportAckWait)
	defer cancel()

	status, _ := json.Marshal(map[string]any{"firmware": rep.Firmware, "status": rep.Status, "at": meta.Timestamp})
	if err := s.store.Put(ctx, "fw:status:"+rep.Device, status, s.cfg.Firmware.ReportRetention); err != nil {
		return err
	}

	if rep.RolloutID != "" {
		key := fleet.RolloutKey(rep.RolloutID)
		var ro fleet.Rollout
		if err := s.store.GetJSON(ctx, key, &ro); err != nil {
			return fmt.Errorf("rollout %s: %w", rep.RolloutID, err)
		}
		if ro.Devices == nil {
			ro.Devices = map[string]string{}
		}
		ro.Devices[rep.Device] = rep.Status
		ro.UpdatedAt = meta.Timestamp
		if err := s.store.PutJSON(ctx, key, ro, 0); err != nil { // EXPECT kvrace
			return err
		}
	}

	receipt := fmt.Sprintf("fw:receipt:%s:%d", rep.Device, meta.Sequence.Stream)
	if err := s.store.Put(ctx, receipt, []byte(rep.Status), reportAckWait); err != nil { // EXPECT kvttl
		return err
	}
	return s.store.Put(ctx, "fleet:firmware:last-report", msg.Data(), 0) // DEBATABLE kvhotkey
}
