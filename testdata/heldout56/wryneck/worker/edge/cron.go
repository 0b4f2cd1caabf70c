//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"
)

// Scheduler runs the Worker's cron triggers:
//
//	"*/5 * * * *"  dispatch due campaign slots
//	"0 0 * * *"    roll the daily quota window
type Scheduler struct {
	KV         *cloudflare.KVNamespace
	Quotas     *cloudflare.KVNamespace
	Deliveries *queues.Producer
	MaxPages   *int
}

// Run is the cron.Task.
func (s *Scheduler) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "0 0 * * *":
		err = s.rollQuotas(ev.ScheduledTime)
	default:
		err = s.dispatch(ev.ScheduledTime)
	}
	if err != nil {
		return err
	}
	stamp, _ := json.Marshal(map[string]any{"cron": ev.Cron, "at": ev.ScheduledTime})
	return s.KV.PutString("cron:last-run:"+ev.Cron, string(stamp), nil)
}

type indexedSchedule struct {
	CampaignID string `json:"campaign_id"`
	Sender     string `json:"sender"`
	Slots      []struct {
		At      time.Time `json:"at"`
		Segment string    `json:"segment"`
	} `json:"slots"`
	Deleted bool `json:"deleted"`
}

func (s *Scheduler) dispatch(now time.Time) error {
	raw, err := s.KV.GetString("campaigns:index", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return fmt.Errorf("campaign index: %w", err)
	}
	var batch []*queues.BatchMessage
	for _, id := range ids {
		body, err := s.KV.GetString("campaign:"+id, &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
		if err != nil {
			return err
		}
		if body == "<null>" {
			continue
		}
		var sc indexedSchedule
		if err := json.Unmarshal([]byte(body), &sc); err != nil || sc.Deleted {
			continue
		}
		for _, slot := range sc.Slots {
			if slot.At.After(now) || now.Sub(slot.At) > 5*time.Minute {
				continue
			}
			batch = append(batch, queues.NewJSONBatchMessage(map[string]string{
				"campaign": sc.CampaignID, "sender": sc.Sender, "segment": slot.Segment,
			}))
		}
	}
	if len(batch) > 0 {
		if err := s.Deliveries.SendBatch(batch); err != nil {
			return err
		}
	}
	return s.expireHolds(now)
}

// expireHolds removes campaign holds whose time has passed.
func (s *Scheduler) expireHolds(now time.Time) error {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "hold:", Limit: 1000}
	for {
		res, err := s.KV.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(now) {
				_ = s.KV.Delete(k.Name)
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor}
	}
}

// pendingReminders lists reminder markers, at most MaxPages pages per tick.
func (s *Scheduler) pendingReminders() ([]string, error) {
	maxPages := 3
	if s.MaxPages != nil {
		maxPages = *s.MaxPages
	}
	var names []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := s.KV.List(&cloudflare.KVNamespaceListOptions{Prefix: "remind:", Limit: 1000, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, "remind:"))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return names, nil
}

// rollQuotas opens the new day's quota window for every active sender.
func (s *Scheduler) rollQuotas(now time.Time) error {
	res, err := s.Quotas.List(&cloudflare.KVNamespaceListOptions{Prefix: "sender:", Limit: 5000}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	day := now.UTC().Format("20060102")
	for _, k := range res.Keys {
		sender := strings.TrimPrefix(k.Name, "sender:")
		if err := s.Quotas.PutString("quota:"+sender+":"+day, "0", &cloudflare.KVNamespacePutOptions{ExpirationTTL: 36 * 3600}); err != nil { // EXPECT kvcounter
			log.Printf("quota roll %s: %v", sender, err)
		}
	}
	if !res.ListComplete {
		log.Printf("quota roll: more senders after cursor %s", res.Cursor)
	}
	names, err := s.pendingReminders()
	if err != nil {
		return err
	}
	log.Printf("quota roll: %d reminders pending", len(names))
	return nil
}
