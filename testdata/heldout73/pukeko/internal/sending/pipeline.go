package sending

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"pukeko/internal/keys"
	"pukeko/internal/kvstore"
)

// Recipient is one confirmed subscriber of a campaign.
type Recipient struct {
	SubID string
	Email string
}

// Domain is the receiving domain of the recipient's address.
func (r Recipient) Domain() string {
	_, d, _ := strings.Cut(r.Email, "@")
	return strings.ToLower(d)
}

// MTA delivers one message.
type MTA interface {
	Deliver(ctx context.Context, campaign keys.CampaignID, r Recipient) error
}

// Progress is the live state of a running send, shown in the dashboard.
type Progress struct {
	Campaign keys.CampaignID `json:"campaign"`
	Sent     int             `json:"sent"`
	Failed   int             `json:"failed"`
	Total    int             `json:"total"`
	Started  time.Time       `json:"started"`
	Finished time.Time       `json:"finished,omitzero"`
}

// Pipeline sends campaigns.
type Pipeline struct {
	KV       *kvstore.Namespace // delivery receipts
	Live     *kvstore.Namespace // dashboard state
	Quota    *DailyQuota
	Throttle *DomainThrottle
	MTA      MTA
}

// deliveryBatch is the number of receipts written per bulk request.
const deliveryBatch = 10_000

// Send delivers campaign to rcpts on behalf of sender, grouped by receiving
// domain so that the throttle sees one domain at a time.
func (p *Pipeline) Send(ctx context.Context, campaign keys.CampaignID, sender string, rcpts []Recipient) (Progress, error) {
	prog := Progress{Campaign: campaign, Total: len(rcpts), Started: time.Now().UTC()}
	if _, err := p.Quota.Consume(ctx, sender, len(rcpts)); err != nil {
		return prog, err
	}
	byDomain := make(map[string][]Recipient)
	for _, r := range rcpts {
		byDomain[r.Domain()] = append(byDomain[r.Domain()], r)
	}
	receipts := make([]kvstore.Entry, 0, len(rcpts))
	for _, domain := range slices.Sorted(maps.Keys(byDomain)) {
		for _, r := range byDomain[domain] {
			if err := p.MTA.Deliver(ctx, campaign, r); err != nil {
				prog.Failed++
				continue
			}
			prog.Sent++
			receipts = append(receipts, kvstore.Entry{
				Key:   fmt.Sprintf("sent:%[1]s:%[2]s", campaign, r.SubID),
				Value: []byte(time.Now().UTC().Format(time.RFC3339)),
				TTL:   new(30 * 24 * time.Hour),
			})
			if err := p.Throttle.Mark(ctx, domain, time.Now()); err != nil { // EXPECT kvhotkey
				return prog, err
			}
		}
	}
	for chunk := range slices.Chunk(receipts, deliveryBatch) {
		if err := p.KV.PutMany(ctx, chunk); err != nil {
			return prog, err
		}
	}
	prog.Finished = time.Now().UTC()
	return prog, p.Live.PutJSON(ctx, "live:"+string(campaign), prog, &kvstore.WriteOptions{TTL: new(7 * 24 * time.Hour)})
}

// ReportProgress publishes the progress of a running send until ctx ends.
func (p *Pipeline) ReportProgress(ctx context.Context, campaign keys.CampaignID, snapshot func() Progress) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = p.Live.PutJSON(context.WithoutCancel(ctx), "live:"+string(campaign), snapshot(), nil) // EXPECT kvhotkey
		}
	}
}

// Heartbeat tells the dashboard that this send worker is alive; it runs
// every five minutes.
func (p *Pipeline) Heartbeat(ctx context.Context, worker string) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			hb, _ := json.Marshal(map[string]any{"worker": worker, "at": now.UTC()})
			_ = p.Live.Put(ctx, "worker:"+worker, hb, &kvstore.WriteOptions{TTL: new(15 * time.Minute)})
		}
	}
}
