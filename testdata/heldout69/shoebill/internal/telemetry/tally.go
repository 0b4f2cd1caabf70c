// Package telemetry summarises device telemetry. Samples arrive on the
// "telemetry" topic; a cron input binding flushes hourly summaries to KV,
// where the console and the edge Worker read them.
package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/dapr/go-sdk/service/common"

	"github.com/shoebill-iot/shoebill/internal/fleet"
	"github.com/shoebill-iot/shoebill/internal/kvstore"
)

const (
	pubsub       = "fleet-pubsub"
	summaryTTL   = 7 * 24 * time.Hour
	watermarkKey = "telemetry:flush-watermark"
)

// Sample is one telemetry reading.
type Sample struct {
	DeviceID string    `json:"device_id"`
	Tenant   string    `json:"tenant"`
	Metric   string    `json:"metric"`
	Value    float64   `json:"value"`
	At       time.Time `json:"at"`
}

type summary struct {
	Count int     `json:"count"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	Sum   float64 `json:"sum"`
}

func (s *summary) add(v float64) {
	if s.Count == 0 {
		s.Min, s.Max = v, v
	}
	s.Count++
	s.Min = math.Min(s.Min, v)
	s.Max = math.Max(s.Max, v)
	s.Sum += v
}

type bucketKey struct{ device, bucket string }

// Aggregator accumulates samples between flushes.
type Aggregator struct {
	KV   *kvstore.Store
	Dapr dapr.Client
	Log  *slog.Logger

	mu      sync.Mutex
	buckets map[bucketKey]map[string]*summary
	usage   map[string]int

	alerts sync.Map // device id -> *atomic.Int64
}

// Register wires the aggregator into the Dapr service.
func (a *Aggregator) Register(s common.Service) error {
	a.buckets = map[bucketKey]map[string]*summary{}
	a.usage = map[string]int{}
	return errors.Join(
		s.AddTopicEventHandler(&common.Subscription{PubsubName: pubsub, Topic: "telemetry", Route: "/telemetry"}, a.OnSample),
		s.AddTopicEventHandler(&common.Subscription{PubsubName: pubsub, Topic: "device.alert", Route: "/telemetry/alert"}, a.OnAlert),
		s.AddBindingInvocationHandler("telemetry-flush", a.Flush),
	)
}

// OnSample folds one sample into the current hour's summary.
func (a *Aggregator) OnSample(ctx context.Context, e *common.TopicEvent) (retry bool, err error) {
	var batch []Sample
	if err := json.Unmarshal(e.RawData, &batch); err != nil {
		var one Sample
		if err := e.Struct(&one); err != nil {
			return false, nil
		}
		batch = []Sample{one}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range batch {
		k := bucketKey{s.DeviceID, fleet.HourBucket(s.At)}
		m := a.buckets[k]
		if m == nil {
			m = map[string]*summary{}
			a.buckets[k] = m
		}
		if m[s.Metric] == nil {
			m[s.Metric] = &summary{}
		}
		m[s.Metric].add(s.Value)
		a.usage[s.Tenant]++
	}
	return false, nil
}

// OnAlert records a device alert, keeps a per-device count and appends a
// line to the device's audit trail.
func (a *Aggregator) OnAlert(ctx context.Context, e *common.TopicEvent) (retry bool, err error) {
	var al struct {
		DeviceID string `json:"device_id"`
		Code     string `json:"code"`
		Severity string `json:"severity"`
	}
	if err := e.Struct(&al); err != nil {
		return false, nil
	}
	v, _ := a.alerts.LoadOrStore(al.DeviceID, new(atomic.Int64))
	n := v.(*atomic.Int64).Add(1)
	if err := a.KV.Put(ctx, fleet.AlertCountKey(al.DeviceID), []byte(strconv.FormatInt(n, 10))); err != nil { // EXPECT kvcounter
		return true, err
	}

	line := fmt.Sprintf("%s alert %s severity=%s event=%s", time.Now().UTC().Format(time.RFC3339), al.Code, al.Severity, e.ID)
	trail, err := a.KV.Get(ctx, fleet.AuditKey(al.DeviceID))
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return true, err
	}
	next := strings.TrimRight(string(trail), "\n") + "\n" + line
	if err := a.KV.Put(ctx, fleet.AuditKey(al.DeviceID), []byte(next)); err != nil { // EXPECT kvrace
		return true, err
	}
	if al.Severity == "critical" {
		_ = a.Dapr.PublishEvent(ctx, pubsub, "pager.critical", al)
	}
	return false, nil
}

// Flush runs on the "telemetry-flush" cron binding (every 5 minutes). It
// writes the summaries of the current hour in one bulk request and records
// each tenant's usage.
func (a *Aggregator) Flush(ctx context.Context, in *common.BindingEvent) ([]byte, error) {
	a.mu.Lock()
	buckets := a.buckets
	usage := a.usage
	a.buckets = map[bucketKey]map[string]*summary{}
	a.usage = map[string]int{}
	a.mu.Unlock()

	pairs := make([]*kvstore.Pair, 0, len(buckets))
	for k, m := range buckets {
		raw, _ := json.Marshal(m)
		pairs = append(pairs, &kvstore.Pair{
			Key:           fleet.TallyKey(k.device, k.bucket),
			Value:         string(raw),
			ExpirationTTL: int(summaryTTL.Seconds()),
			Metadata:      map[string]int{"metrics": len(m)},
		})
	}
	if err := a.KV.PutMany(ctx, pairs); err != nil {
		return nil, err
	}

	month := time.Now().UTC()
	for _, tenant := range slices.Sorted(maps.Keys(usage)) {
		used := usage[tenant]
		if err := a.KV.Put(ctx, fleet.QuotaKey(tenant, month), []byte(strconv.Itoa(used))); err != nil { // EXPECT kvcounter
			a.Log.Error("quota write", "tenant", tenant, "err", err)
		}
		mark := fmt.Sprintf(`{"tenant":%q,"at":%q}`, tenant, time.Now().UTC().Format(time.RFC3339))
		if err := a.KV.Put(ctx, watermarkKey, []byte(mark)); err != nil { // EXPECT kvhotkey
			a.Log.Error("watermark", "err", err)
		}
	}
	return []byte(strconv.Itoa(len(pairs))), nil
}
