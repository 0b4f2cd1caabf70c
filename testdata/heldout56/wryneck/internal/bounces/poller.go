// Package bounces drains bounce and complaint notifications from the
// "esp-events" queue (an HTTP pull consumer) and maintains suppression
// records and per-address bounce counters.
package bounces

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/queues"

	"wryneck/internal/newsletter"
	"wryneck/internal/opt"
	"wryneck/internal/tracing"
)

// EventType distinguishes hard bounces, soft bounces and complaints.
type EventType int

const (
	HardBounce EventType = iota
	SoftBounce
	Complaint
)

var suppressFor = [...]time.Duration{
	HardBounce: 0,
	SoftBounce: 72 * time.Hour,
	Complaint:  0,
}

func (t EventType) String() string {
	switch t {
	case HardBounce:
		return "hard"
	case SoftBounce:
		return "soft"
	case Complaint:
		return "complaint"
	}
	return "unknown"
}

// Event is the body of one queue message.
type Event struct {
	Type    EventType `json:"type"`
	Address string    `json:"address"`
	Sender  string    `json:"sender"`
	At      time.Time `json:"at"`
}

// Config tunes the poller. Nil fields take defaults.
type Config struct {
	BatchSize  *int
	Visibility *time.Duration
	MaxBatches *int
}

// Poller drains the queue.
type Poller struct {
	api     *cloudflare.Client
	account string
	queueID string
	store   newsletter.Store
	cfg     Config

	processed int
}

// NewPoller returns a Poller.
func NewPoller(api *cloudflare.Client, account, queueID string, store newsletter.Store, cfg Config) *Poller {
	return &Poller{api: api, account: account, queueID: queueID, store: store, cfg: cfg}
}

// Drain pulls batches until the queue is empty or MaxBatches is reached.
func (p *Poller) Drain(ctx context.Context) (err error) {
	ctx, end := tracing.Start(ctx, "bounces.drain")
	defer end(&err)
	maxBatches := opt.Deref(p.cfg.MaxBatches, 50)
	for i := 0; i < maxBatches; i++ {
		res, err := p.api.Queues.Messages.Pull(ctx, p.queueID, queues.MessagePullParams{
			AccountID:           cloudflare.F(p.account),
			BatchSize:           cloudflare.F(float64(opt.Deref(p.cfg.BatchSize, 100))),
			VisibilityTimeoutMs: cloudflare.F(float64(opt.Deref(p.cfg.Visibility, 30*time.Second).Milliseconds())),
		})
		if err != nil {
			return fmt.Errorf("pull: %w", err)
		}
		if len(res.Messages) == 0 {
			break
		}
		var acks []queues.MessageAckParamsAck
		var retries []queues.MessageAckParamsRetry
		for _, m := range res.Messages {
			if err := p.handle(ctx, m.Body); err != nil {
				log.Printf("bounces: message %s attempt %.0f: %v", m.ID, m.Attempts, err)
				retries = append(retries, queues.MessageAckParamsRetry{
					LeaseID:      cloudflare.F(m.LeaseID),
					DelaySeconds: cloudflare.F(float64(30 * (m.Attempts + 1))),
				})
				continue
			}
			acks = append(acks, queues.MessageAckParamsAck{LeaseID: cloudflare.F(m.LeaseID)})
		}
		p.processed += len(acks)
		if _, err := p.api.Queues.Messages.Ack(ctx, p.queueID, queues.MessageAckParams{
			AccountID: cloudflare.F(p.account),
			Acks:      cloudflare.F(acks),
			Retries:   cloudflare.F(retries),
		}); err != nil {
			return fmt.Errorf("ack: %w", err)
		}
		cp, _ := json.Marshal(map[string]any{"batch": i, "acked": len(acks), "at": time.Now().UTC()})
		if err := p.store.Put(ctx, "poller:bounces:checkpoint", cp, newsletter.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return p.store.Put(ctx, "metrics:bounce-count", []byte(strconv.Itoa(p.processed)), newsletter.PutOptions{}) // EXPECT kvcounter
}

func (p *Poller) handle(ctx context.Context, body string) error {
	var ev Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return err
	}
	sup, _ := json.Marshal(map[string]any{"reason": ev.Type.String(), "sender": ev.Sender, "at": ev.At})
	o := newsletter.PutOptions{Metadata: map[string]any{"reason": ev.Type.String()}}
	if d := suppressFor[ev.Type]; d > 0 {
		o.TTL = &d
	}
	if err := p.store.Put(ctx, "suppress:"+ev.Address, sup, o); err != nil {
		return err
	}
	if ev.Type == Complaint {
		return p.bumpComplaints(ctx, ev.Sender)
	}
	return p.bumpBounces(ctx, ev.Address)
}

func (p *Poller) bumpBounces(ctx context.Context, address string) error {
	key := "bounces:" + address
	n := int64(0)
	raw, err := p.store.Get(ctx, key)
	if err != nil && !errors.Is(err, newsletter.ErrNotFound) {
		return err
	}
	if err == nil {
		n, _ = strconv.ParseInt(string(raw), 10, 64)
	}
	n++
	return p.store.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), newsletter.PutOptions{TTL: opt.Ptr(30 * 24 * time.Hour)}) // EXPECT kvcounter|kvrace
}

// bumpComplaints records the complaint time for the sender's reputation page.
// The counts themselves live in D1; KV only keeps the latest timestamp.
func (p *Poller) bumpComplaints(ctx context.Context, sender string) error {
	at := []byte(time.Now().UTC().Format(time.RFC3339))
	return p.store.Put(ctx, "complaints:last:"+sender, at, newsletter.PutOptions{TTL: opt.Ptr(7 * 24 * time.Hour)}) // DEBATABLE kvhotkey
}
