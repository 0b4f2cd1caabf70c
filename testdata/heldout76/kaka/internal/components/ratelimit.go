package components

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/postmarkly/kaka/internal/kvstore"
	"github.com/postmarkly/kaka/internal/service"
)

func rateLimitSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Fixed-window rate limit shared by all pipeline replicas through KV.").
		Field(service.NewStringField("namespace")).
		Field(service.NewStringField("key").Default("ratelimit:smtp-relay")).
		Field(service.NewIntField("count").Default(600)).
		Field(service.NewDurationField("interval").Default("1s"))
}

type kvRateLimit struct {
	ns       *kvstore.Namespace
	key      string
	count    int
	interval time.Duration
}

func newKVRateLimit(conf *service.ParsedConfig, res *service.Resources) (service.RateLimit, error) {
	ns, err := namespace(conf, res)
	if err != nil {
		return nil, err
	}
	key, err := conf.FieldString("key")
	if err != nil {
		return nil, err
	}
	count, err := conf.FieldInt("count")
	if err != nil {
		return nil, err
	}
	interval, err := conf.FieldDuration("interval")
	if err != nil {
		return nil, err
	}
	if interval <= 0 || count <= 0 {
		return nil, errors.New("kv_rate_limit: count and interval must be positive")
	}
	return &kvRateLimit{ns: ns, key: key, count: count, interval: interval}, nil
}

func (r *kvRateLimit) Access(ctx context.Context) (time.Duration, error) {
	now := time.Now()
	window := now.Truncate(r.interval)
	key := fmt.Sprintf("%s:%d", r.key, window.Unix())

	used := 0
	raw, err := r.ns.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("rate limit window %s: %w", key, err)
		}
	case errors.Is(err, kvstore.ErrNotFound):
	default:
		return 0, err
	}
	if used >= r.count {
		return window.Add(r.interval).Sub(now), nil
	}
	ttl := max(2*r.interval, 3*time.Second)                            // EXPECT kvttl
	return 0, r.ns.PutTTL(ctx, key, []byte(strconv.Itoa(used+1)), ttl) // EXPECT kvcounter|kvrace
}

func (r *kvRateLimit) Close(context.Context) error { return nil }
