//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"
)

type presaleBatch struct {
	EventID    string   `json:"event_id"`
	Seq        int64    `json:"seq"`
	Codes      []string `json:"codes"`
	ValidUntil int64    `json:"valid_until"` // unix seconds
}

// ConsumePresale loads presale codes that the backend pushes to the
// "presale-codes" queue, so the edge can check a code without a round trip.
func ConsumePresale(batch *queues.MessageBatch) error {
	ns, err := waitroom()
	if err != nil {
		return err
	}
	for _, m := range batch.Messages {
		body, err := m.StringBody()
		if err != nil {
			log.Printf("presale: message %s: %v", m.ID, err)
			m.Ack()
			continue
		}
		var pb presaleBatch
		if err := json.Unmarshal([]byte(body), &pb); err != nil {
			log.Printf("presale: message %s: %v", m.ID, err)
			m.Ack()
			continue
		}
		var werr error
		for _, code := range pb.Codes {
			key := fmt.Sprintf("presale:%s:%s", pb.EventID, code)
			if werr = ns.PutString(key, "1", &kv.PutOptions{Expiration: int(pb.ValidUntil)}); werr != nil {
				break
			}
		}
		if werr != nil {
			m.Retry(queues.WithRetryDelay(30 * time.Second))
			continue
		}
		if err := ns.PutString("presale:last_seq", strconv.FormatInt(pb.Seq, 10), nil); err != nil { // EXPECT kvhotkey
			log.Printf("presale: last_seq: %v", err)
		}
		m.Ack()
	}
	return nil
}

type roomStats struct {
	Live int    `json:"live"`
	At   int64  `json:"at"`
	Cron string `json:"cron"`
}

// Tick runs every minute: it publishes the room's size and keeps the
// "room open" flag alive while the organiser has not paused the room.
func Tick(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := waitroom()
	if err != nil {
		return err
	}
	paused, err := ns.GetString("wr:paused", nil)
	if err != nil {
		return err
	}
	if paused != "" { // EXPECT kvnull
		return nil
	}

	opts := &kv.ListOptions{Prefix: "wr:", Limit: 5000} // EXPECT kvlimits
	live := 0
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		live += len(res.Keys)
		opts.Cursor = res.Cursor
	}
	stats, _ := json.Marshal(roomStats{Live: live, At: ev.ScheduledTime.Unix(), Cron: ev.Cron})
	if err := ns.PutString("wr:stats", string(stats), &kv.PutOptions{ExpirationTTL: 300}); err != nil {
		return err
	}
	if err := ns.PutString("wr:open", "1", &kv.PutOptions{Expiration: int(time.Now().Add(45 * time.Second).Unix())}); err != nil { // EXPECT kvttl
		return err
	}
	if err := ns.PutString("wr:heartbeat", ev.Cron, &kv.PutOptions{Expiration: int(time.Now().Add(3 * time.Minute).Unix())}); err != nil {
		return err
	}
	closes, err := ns.GetString("wr:closes_at", nil)
	if err != nil || closes == kvNull {
		return err
	}
	closeAt, err := time.Parse(time.RFC3339, closes)
	if err != nil || time.Until(closeAt) > 2*time.Hour {
		return nil
	}
	return ns.PutString("wr:banner", "Sale closes at "+closeAt.Format("15:04"), &kv.PutOptions{Expiration: int(closeAt.UnixMilli())}) // EXPECT kvttl
}
