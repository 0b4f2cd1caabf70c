package components

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/postmarkly/kaka/internal/kvstore"
	"github.com/postmarkly/kaka/internal/service"
)

func quotaSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Counts messages sent per sending domain per day.").
		Field(service.NewStringField("namespace")).
		Field(service.NewStringField("prefix").Default("quota:")).
		Field(service.NewDurationField("retention").Default("48h"))
}

type domainQuota struct {
	ns        *kvstore.Namespace
	prefix    string
	retention time.Duration
}

func newDomainQuota(conf *service.ParsedConfig, res *service.Resources) (service.BatchProcessor, error) {
	ns, err := namespace(conf, res)
	if err != nil {
		return nil, err
	}
	prefix, err := conf.FieldString("prefix")
	if err != nil {
		return nil, err
	}
	retention, err := conf.FieldDuration("retention")
	if err != nil {
		return nil, err
	}
	return &domainQuota{ns: ns, prefix: prefix, retention: retention}, nil
}

func dayKey(prefix, domain string, t time.Time) string {
	return fmt.Sprintf("%s%s:%s", prefix, domain, t.UTC().Format("20060102"))
}

func (q *domainQuota) ProcessBatch(ctx context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	perDomain := map[string]int{}
	for _, msg := range batch {
		if d, ok := msg.MetaGet("domain"); ok {
			perDomain[d]++
		}
	}
	now := time.Now()
	for domain, n := range perDomain {
		key := dayKey(q.prefix, domain, now)
		sent := 0
		if raw, err := q.ns.Get(ctx, key); err == nil { // EXPECT kvnull
			sent, _ = strconv.Atoi(string(raw))
		}
		if err := q.ns.PutTTL(ctx, key, []byte(strconv.Itoa(sent+n)), q.retention); err != nil { // EXPECT kvcounter|kvrace
			return nil, err
		}
	}
	return []service.MessageBatch{batch}, nil
}

func (q *domainQuota) Close(context.Context) error { return nil }

func quotaGateSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Drops messages for domains over their daily quota.").
		Field(service.NewStringField("namespace")).
		Field(service.NewStringField("prefix").Default("quota:")).
		Field(service.NewIntField("daily_limit").Default(50000))
}

type quotaGate struct {
	ns     *kvstore.Namespace
	prefix string
	limit  int
}

func newQuotaGate(conf *service.ParsedConfig, res *service.Resources) (service.BatchProcessor, error) {
	ns, err := namespace(conf, res)
	if err != nil {
		return nil, err
	}
	prefix, err := conf.FieldString("prefix")
	if err != nil {
		return nil, err
	}
	limit, err := conf.FieldInt("daily_limit")
	if err != nil {
		return nil, err
	}
	return &quotaGate{ns: ns, prefix: prefix, limit: limit}, nil
}

// ProcessBatch reads the counters written by domain_quota; it never writes.
func (g *quotaGate) ProcessBatch(ctx context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	now := time.Now()
	sent := map[string]int{}
	var kept, deferred service.MessageBatch
	for _, msg := range batch {
		domain, _ := msg.MetaGet("domain")
		n, seen := sent[domain]
		if !seen {
			raw, err := g.ns.Get(ctx, dayKey(g.prefix, domain, now))
			switch {
			case kvstore.IsNotFound(err):
				n = 0
			case err != nil:
				return nil, err
			default:
				if n, err = strconv.Atoi(string(raw)); err != nil {
					return nil, err
				}
			}
			sent[domain] = n
		}
		if n >= g.limit {
			msg.MetaSet("deferred_reason", "daily_quota")
			deferred = append(deferred, msg)
			continue
		}
		kept = append(kept, msg)
	}
	return []service.MessageBatch{kept, deferred}, nil
}

func (g *quotaGate) Close(context.Context) error { return nil }
