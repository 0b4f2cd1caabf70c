package components

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/postmarkly/kaka/internal/kvstore"
	"github.com/postmarkly/kaka/internal/service"
)

func bounceSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Tracks hard and soft bounces per recipient and suppresses repeat offenders.").
		Field(service.NewStringField("namespace")).
		Field(service.NewStringField("prefix").Default("bounces:")).
		Field(service.NewIntField("soft_threshold").Default(5)).
		Field(service.NewDurationField("history_ttl").Default("720h")).
		Field(service.NewStringField("cursor_key").Default("bounce_tracker:cursor"))
}

// bounceHistory is what the tracker keeps per recipient.
type bounceHistory struct {
	Recipient string    `json:"recipient"`
	Soft      int       `json:"soft"`
	Hard      int       `json:"hard"`
	Codes     []string  `json:"codes"`
	LastSeen  time.Time `json:"last_seen"`
}

type bounceTracker struct {
	ns         *kvstore.Namespace
	prefix     string
	threshold  int
	historyTTL time.Duration
	cursorKey  string
}

func newBounceTracker(conf *service.ParsedConfig, res *service.Resources) (service.BatchProcessor, error) {
	ns, err := namespace(conf, res)
	if err != nil {
		return nil, err
	}
	t := &bounceTracker{ns: ns}
	if t.prefix, err = conf.FieldString("prefix"); err != nil {
		return nil, err
	}
	if t.threshold, err = conf.FieldInt("soft_threshold"); err != nil {
		return nil, err
	}
	if t.historyTTL, err = conf.FieldDuration("history_ttl"); err != nil {
		return nil, err
	}
	if t.cursorKey, err = conf.FieldString("cursor_key"); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *bounceTracker) load(ctx context.Context, rcpt string) (*bounceHistory, error) {
	raw, err := t.ns.Get(ctx, t.prefix+rcpt)
	if errors.Is(err, kvstore.ErrNotFound) {
		return &bounceHistory{Recipient: rcpt}, nil
	}
	if err != nil {
		return nil, err
	}
	var h bounceHistory
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("bounce history %s: %w", rcpt, err)
	}
	return &h, nil
}

func (t *bounceTracker) ProcessBatch(ctx context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	var suppress []*cloudflare.WorkersKVPair
	for _, msg := range batch {
		rcpt, ok := msg.MetaGet("recipient")
		if !ok {
			continue
		}
		kind, _ := msg.MetaGet("bounce_type")
		code, _ := msg.MetaGet("smtp_code")

		h, err := t.load(ctx, strings.ToLower(rcpt))
		if err != nil {
			return nil, err
		}
		if kind == "hard" {
			h.Hard++
		} else {
			h.Soft++
		}
		h.Codes = append(h.Codes, code)
		h.LastSeen = time.Now().UTC()
		body, _ := json.Marshal(h)
		if err := t.ns.PutTTL(ctx, t.prefix+h.Recipient, body, t.historyTTL); err != nil { // EXPECT kvrace
			return nil, err
		}
		if h.Hard > 0 || h.Soft >= t.threshold {
			msg.MetaSet("suppress", "true")
			suppress = append(suppress, &cloudflare.WorkersKVPair{
				Key:      "suppress:" + h.Recipient,
				Value:    "bounce",
				Metadata: map[string]string{"source": "bounce_tracker", "code": code},
			})
		}
		if offset, ok := msg.MetaGet("kafka_offset"); ok {
			if err := t.ns.Put(ctx, t.cursorKey, []byte(offset)); err != nil { // EXPECT kvhotkey
				return nil, err
			}
		}
	}
	if err := t.ns.PutMany(ctx, suppress); err != nil {
		return nil, fmt.Errorf("suppress %d recipients: %w", len(suppress), err)
	}
	return []service.MessageBatch{batch}, nil
}

func (t *bounceTracker) Close(context.Context) error { return nil }
