// Package metering holds the Lambda functions of usage metering for
// billing: the SQS ingest of usage events, the public usage badge behind
// API Gateway, and the EventBridge-scheduled rollups.
package metering

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/cloudflare/cloudflare-go"

	"github.com/dunlin-dev/dunlin/internal/kvstore"
)

// eventRetention is how long raw usage events stay queryable for support.
const eventRetention = 72 * time.Hour

// UsageEvent is published by the API server, the build runners and the
// edge for every billable unit.
type UsageEvent struct {
	ID       string    `json:"id"`
	Tenant   string    `json:"tenant"`
	Metric   string    `json:"metric"`
	Quantity int64     `json:"quantity"`
	At       time.Time `json:"at"`
}

// Ingestor is the handler of the usage-ingest Lambda.
type Ingestor struct {
	usage  *kvstore.Namespace
	events *kvstore.Namespace
}

func NewIngestor(usage, events *kvstore.Namespace) *Ingestor {
	return &Ingestor{usage: usage, events: events}
}

func usageKey(tenant, metric string, day time.Time) string {
	return "usage:" + tenant + ":" + metric + ":" + day.UTC().Format("20060102")
}

// HandleSQS consumes one batch (ReportBatchItemFailures is on).
func (h *Ingestor) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	totals := make(map[string]int64)
	raw := make([]*cloudflare.WorkersKVPair, 0, len(ev.Records))
	rejected := 0
	for _, m := range ev.Records {
		var u UsageEvent
		if err := json.Unmarshal([]byte(m.Body), &u); err != nil || u.Tenant == "" || u.Quantity <= 0 {
			rejected++
			slog.WarnContext(ctx, "usage: rejected message", "id", m.MessageId, "err", err)
			continue
		}
		totals[usageKey(u.Tenant, u.Metric, u.At)] += u.Quantity
		raw = append(raw, &cloudflare.WorkersKVPair{
			Key:           "usage-event:" + u.ID,
			Value:         m.Body,
			ExpirationTTL: int(eventRetention), // EXPECT kvttl
		})
		if err := h.usage.Put(ctx, "meter:last-event", []byte(u.At.UTC().Format(time.RFC3339Nano))); err != nil { // EXPECT kvhotkey
			slog.WarnContext(ctx, "usage: watermark not saved", "err", err)
		}
	}
	if err := h.events.PutMany(ctx, raw); err != nil {
		return resp, err
	}
	for key, n := range totals {
		if err := h.add(ctx, key, n); err != nil {
			return resp, err
		}
	}
	if rejected > 0 {
		day := time.Now().UTC().Format("20060102")
		if err := h.usage.Put(ctx, "meter:rejected-count:"+day, []byte(strconv.Itoa(rejected))); err != nil { // EXPECT kvcounter
			slog.WarnContext(ctx, "usage: rejected count not saved", "err", err)
		}
	}
	return resp, nil
}

// add adds n to the daily total stored under key.
func (h *Ingestor) add(ctx context.Context, key string, n int64) error {
	var cur int64
	raw, err := h.usage.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if cur, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return err
		}
	}
	return h.usage.Put(ctx, key, []byte(strconv.FormatInt(cur+n, 10))) // EXPECT kvcounter|kvrace
}
