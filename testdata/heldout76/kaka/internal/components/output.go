package components

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/postmarkly/kaka/internal/kvstore"
	"github.com/postmarkly/kaka/internal/service"
)

func kvOutputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Writes each message to KV under a key interpolated from its metadata.").
		Field(service.NewStringField("namespace")).
		Field(service.NewStringField("key").Describe("e.g. events:${!meta:domain}:${!meta:event_id}")).
		Field(service.NewDurationField("ttl").Default("168h")).
		Field(service.NewIntField("batch_size").Default(500))
}

var metaRef = regexp.MustCompile(`\$\{!meta:([a-z_]+)\}`)

// interpolate replaces ${!meta:name} references with the message's metadata.
func interpolate(tmpl string, msg *service.Message) string {
	return metaRef.ReplaceAllStringFunc(tmpl, func(ref string) string {
		name := metaRef.FindStringSubmatch(ref)[1]
		v, _ := msg.MetaGet(name)
		return v
	})
}

type kvOutput struct {
	ns        *kvstore.Namespace
	keyTmpl   string
	ttl       time.Duration
	batchSize int
}

func newKVOutput(conf *service.ParsedConfig, res *service.Resources) (service.Output, error) {
	ns, err := namespace(conf, res)
	if err != nil {
		return nil, err
	}
	o := &kvOutput{ns: ns}
	if o.keyTmpl, err = conf.FieldString("key"); err != nil {
		return nil, err
	}
	if o.ttl, err = conf.FieldDuration("ttl"); err != nil {
		return nil, err
	}
	if o.batchSize, err = conf.FieldInt("batch_size"); err != nil {
		return nil, err
	}
	if o.batchSize < 1 || o.batchSize > 10000 {
		return nil, fmt.Errorf("cloudflare_kv output: batch_size %d out of range 1..10000", o.batchSize)
	}
	if o.ttl < time.Minute {
		return nil, fmt.Errorf("cloudflare_kv output: ttl %s is below KV's 60s minimum", o.ttl)
	}
	return o, nil
}

func (o *kvOutput) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(batch))
	for _, msg := range batch {
		key := interpolate(o.keyTmpl, msg)
		if key == "" {
			continue
		}
		domain, _ := msg.MetaGet("domain")
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           key,
			Value:         string(msg.AsBytes()),
			ExpirationTTL: int(o.ttl.Seconds()),
			Metadata:      map[string]string{"domain": domain},
		})
	}
	for chunk := range slices.Chunk(pairs, o.batchSize) {
		if err := o.ns.PutMany(ctx, chunk); err != nil {
			return err
		}
	}
	return nil
}

func (o *kvOutput) Close(context.Context) error { return nil }

func watermarkSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Records the last processed offset for each partition so a restart can resume.").
		Field(service.NewStringField("namespace")).
		Field(service.NewStringField("prefix").Default("watermark:")).
		Field(service.NewStringField("consumer_group"))
}

type watermark struct {
	ns  *kvstore.Namespace
	key string
}

func newWatermark(conf *service.ParsedConfig, res *service.Resources) (service.Output, error) {
	ns, err := namespace(conf, res)
	if err != nil {
		return nil, err
	}
	prefix, err := conf.FieldString("prefix")
	if err != nil {
		return nil, err
	}
	group, err := conf.FieldString("consumer_group")
	if err != nil {
		return nil, err
	}
	return &watermark{ns: ns, key: prefix + group}, nil
}

// WriteBatch stores, once per batch, the highest offset seen per partition.
func (w *watermark) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	high := map[string]string{}
	for _, msg := range batch {
		p, _ := msg.MetaGet("kafka_partition")
		off, _ := msg.MetaGet("kafka_offset")
		high[p] = off
	}
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(high))
	for p, off := range high {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: w.key + ":" + p, Value: off})
	}
	return w.ns.PutMany(ctx, pairs)
}

func (w *watermark) Close(context.Context) error { return nil }
