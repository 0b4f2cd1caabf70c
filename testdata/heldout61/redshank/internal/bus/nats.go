// Package bus wires the NATS subscriptions and JetStream consumers. The
// callbacks run on nats.go's goroutines; each one finishes its KV work
// before acknowledging.
package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/redshank-labs/redshank/internal/auth"
	"github.com/redshank-labs/redshank/internal/config"
	"github.com/redshank-labs/redshank/internal/experiments"
	"github.com/redshank-labs/redshank/internal/kvstore"
)

// rolloutAckWait is how long JetStream waits for an ack before it
// redelivers a rollout change.
const rolloutAckWait = 25 * time.Second

type Subscriber struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	exps    *kvstore.Namespace
	sess    *kvstore.Namespace
	metrics *kvstore.Namespace
	cfg     config.NATSConfig
	log     *slog.Logger

	hitsMu     sync.Mutex
	hitsBucket int64
	hitsTotal  int

	consumers []jetstream.ConsumeContext
	subs      []*nats.Subscription
}

func NewSubscriber(nc *nats.Conn, exps, sess, metrics *kvstore.Namespace, cfg config.NATSConfig, log *slog.Logger) (*Subscriber, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	return &Subscriber{nc: nc, js: js, exps: exps, sess: sess, metrics: metrics, cfg: cfg, log: log}, nil
}

// Start registers every subscription and consumer.
func (s *Subscriber) Start(ctx context.Context) error {
	for subject, cb := range map[string]nats.MsgHandler{
		"redshank.sessions.revoke": s.onRevokeSessions,
		"redshank.edge.hits":       s.onEdgeHit,
	} {
		sub, err := s.nc.QueueSubscribe(subject, s.cfg.QueueGroup, cb)
		if err != nil {
			return fmt.Errorf("subscribe %s: %w", subject, err)
		}
		s.subs = append(s.subs, sub)
	}
	sub, err := s.nc.Subscribe("redshank.audit", s.onAudit)
	if err != nil {
		return err
	}
	s.subs = append(s.subs, sub)

	consumers := []struct {
		stream string
		cfg    jetstream.ConsumerConfig
		handle jetstream.MessageHandler
	}{
		{s.cfg.RolloutStream, jetstream.ConsumerConfig{Durable: "redshank-rollouts", AckWait: rolloutAckWait, MaxDeliver: 10}, s.onRolloutChange},
		{s.cfg.FlagStream, jetstream.ConsumerConfig{Durable: "redshank-flags"}, s.onFlagEvent},
	}
	for _, c := range consumers {
		c.cfg.AckPolicy = jetstream.AckExplicitPolicy
		cons, err := s.js.CreateOrUpdateConsumer(ctx, c.stream, c.cfg)
		if err != nil {
			return fmt.Errorf("consumer on %s: %w", c.stream, err)
		}
		cc, err := cons.Consume(c.handle)
		if err != nil {
			return err
		}
		s.consumers = append(s.consumers, cc)
	}
	return nil
}

// Stop drains the subscriptions, stops the consumers and writes the
// current minute's hits.
func (s *Subscriber) Stop() {
	for _, cc := range s.consumers {
		cc.Stop()
	}
	for _, sub := range s.subs {
		_ = sub.Drain()
	}
	s.hitsMu.Lock()
	bucket, total := s.hitsBucket, s.hitsTotal
	s.hitsMu.Unlock()
	if total > 0 {
		s.writeHits(bucket, total)
	}
}

type auditEntry struct {
	Tenant string    `json:"tenant"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

// onAudit appends a line to the tenant's audit log for the day.
func (s *Subscriber) onAudit(m *nats.Msg) {
	var e auditEntry
	if err := json.Unmarshal(m.Data, &e); err != nil {
		s.log.Warn("bad audit entry", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key := fmt.Sprintf("audit:%s:%s", e.Tenant, e.At.UTC().Format("2006-01-02"))
	prev, _, err := s.metrics.Lookup(ctx, key)
	if err != nil {
		s.log.Warn("reading audit log", "key", key, "err", err)
		return
	}
	line := fmt.Sprintf("%s\t%s\t%s\n", e.At.UTC().Format(time.RFC3339), e.Actor, e.Action)
	if err := s.metrics.PutTTL(ctx, key, []byte(string(prev)+line), 400*24*time.Hour); err != nil { // EXPECT kvrace
		s.log.Warn("writing audit log", "key", key, "err", err)
	}
}

// onRevokeSessions signs users out everywhere, e.g. after an admin
// disables an account.
func (s *Subscriber) onRevokeSessions(m *nats.Msg) {
	var req struct {
		SessionIDs []string `json:"sessionIds"`
	}
	if err := json.Unmarshal(m.Data, &req); err != nil {
		s.log.Warn("bad revoke request", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	for _, id := range req.SessionIDs {
		if err := s.sess.Delete(ctx, auth.SessionKey(id)); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		s.log.Warn("revoking sessions", "err", err)
	}
}

// onEdgeHit counts assignment hits reported by the edge and writes the
// minute's total when the minute rolls over.
func (s *Subscriber) onEdgeHit(m *nats.Msg) {
	n, err := strconv.Atoi(string(m.Data))
	if err != nil || n <= 0 {
		n = 1
	}
	bucket := time.Now().Unix() / 60
	s.hitsMu.Lock()
	prevBucket, total := s.hitsBucket, s.hitsTotal
	if bucket != prevBucket {
		s.hitsBucket, s.hitsTotal = bucket, 0
	}
	s.hitsTotal += n
	s.hitsMu.Unlock()
	if bucket != prevBucket && total > 0 {
		s.writeHits(prevBucket, total)
	}
}

func (s *Subscriber) writeHits(bucket int64, total int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key := fmt.Sprintf("hits:%d", bucket)
	if err := s.metrics.PutTTL(ctx, key, []byte(strconv.Itoa(total)), 48*time.Hour); err != nil { // EXPECT kvcounter
		s.log.Warn("writing hits", "bucket", bucket, "err", err)
	}
}

type rolloutChange struct {
	ExperimentID string `json:"experimentId"`
	Percent      int    `json:"percent"`
	Actor        string `json:"actor"`
}

type rolloutState struct {
	Percent int       `json:"percent"`
	History []string  `json:"history"`
	Updated time.Time `json:"updated"`
}

// onRolloutChange applies a gradual-rollout step published by the console.
func (s *Subscriber) onRolloutChange(msg jetstream.Msg) {
	var ch rolloutChange
	if err := json.Unmarshal(msg.Data(), &ch); err != nil {
		_ = msg.TermWithReason("undecodable rollout change")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), rolloutAckWait)
	defer cancel()

	inflight := "rollout-inflight:" + ch.ExperimentID
	if err := s.metrics.PutTTL(ctx, inflight, []byte(ch.Actor), rolloutAckWait+5*time.Second); err != nil { // EXPECT kvttl
		_ = msg.NakWithDelay(5 * time.Second)
		return
	}

	key := experiments.RolloutKey(ch.ExperimentID)
	apply := func(step func(*rolloutState)) error {
		var st rolloutState
		if err := s.exps.GetJSON(ctx, key, &st); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		step(&st)
		st.Updated = time.Now().UTC()
		return s.exps.PutJSON(ctx, key, st, 0) // EXPECT kvrace
	}
	err := apply(func(st *rolloutState) {
		st.Percent = min(max(ch.Percent, 0), 100)
		st.History = append(st.History, fmt.Sprintf("%s:%d", ch.Actor, st.Percent))
	})
	if err != nil {
		s.log.Warn("applying rollout change", "experiment", ch.ExperimentID, "err", err)
		_ = msg.Nak()
		return
	}
	_ = s.metrics.Delete(ctx, inflight)
	_ = msg.Ack()
}

type flagEvent struct {
	Flag    string          `json:"flag"`
	Value   json.RawMessage `json:"value"`
	Deleted bool            `json:"deleted"`
}

// onFlagEvent mirrors a feature flag from the flag service into KV for the
// edge, and drops the edge's rendered copy so it is rebuilt.
func (s *Subscriber) onFlagEvent(msg jetstream.Msg) {
	var ev flagEvent
	if err := json.Unmarshal(msg.Data(), &ev); err != nil {
		_ = msg.Term()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	if meta, err := msg.Metadata(); err == nil && meta.NumDelivered > 5 {
		s.log.Warn("flag event redelivered repeatedly", "flag", ev.Flag, "deliveries", meta.NumDelivered)
	}

	var err error
	switch {
	case ev.Flag == "*" && ev.Deleted:
		err = s.purgeRenderedFlags(ctx)
	case ev.Deleted:
		err = s.exps.Delete(ctx, "flag:"+ev.Flag)
	default:
		err = s.exps.Put(ctx, "flag:"+ev.Flag, ev.Value)
	}
	if err == nil {
		err = s.exps.Delete(ctx, "flag-rendered:"+ev.Flag)
	}
	if err != nil {
		_ = msg.NakWithDelay(10 * time.Second)
		return
	}
	_ = msg.Ack()
}

// purgeRenderedFlags drops every rendered flag document.
func (s *Subscriber) purgeRenderedFlags(ctx context.Context) error {
	cursor := ""
	for {
		keys, next, err := s.exps.ListPage(ctx, "flag-rendered:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if err := s.exps.DeleteMany(ctx, names); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}
