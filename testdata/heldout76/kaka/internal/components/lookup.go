package components

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/postmarkly/kaka/internal/kvstore"
	"github.com/postmarkly/kaka/internal/service"
)

func suppressLookupSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Marks messages whose recipient is suppressed; caches database answers in KV.").
		Field(service.NewStringField("namespace")).
		Field(service.NewStringField("dsn")).
		Field(service.NewDurationField("positive_ttl").Default("6h")).
		Field(service.NewDurationField("negative_ttl").Default("30s")) // EXPECT kvttl
}

type suppressLookup struct {
	ns          *kvstore.Namespace
	db          *sql.DB
	positiveTTL time.Duration
	negativeTTL time.Duration
}

func newSuppressLookup(conf *service.ParsedConfig, res *service.Resources) (service.Processor, error) {
	ns, err := namespace(conf, res)
	if err != nil {
		return nil, err
	}
	dsn, err := conf.FieldString("dsn")
	if err != nil {
		return nil, err
	}
	v, ok := res.Get("sql:" + dsn)
	if !ok {
		return nil, fmt.Errorf("suppression_lookup: no database %q", dsn)
	}
	pos, err := conf.FieldDuration("positive_ttl")
	if err != nil {
		return nil, err
	}
	neg, err := conf.FieldDuration("negative_ttl")
	if err != nil {
		return nil, err
	}
	return &suppressLookup{ns: ns, db: v.(*sql.DB), positiveTTL: pos, negativeTTL: neg}, nil
}

func (s *suppressLookup) Process(ctx context.Context, msg *service.Message) (service.MessageBatch, error) {
	rcpt, ok := msg.MetaGet("recipient")
	if !ok {
		return service.MessageBatch{msg}, nil
	}
	key := "suppressed?" + strings.ToLower(rcpt)
	raw, err := s.ns.Get(ctx, key)
	if err == nil {
		msg.MetaSet("suppressed", string(raw))
		return service.MessageBatch{msg}, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}

	var reason sql.NullString
	err = s.db.QueryRowContext(ctx, `SELECT reason FROM suppressions WHERE address = $1`, strings.ToLower(rcpt)).Scan(&reason)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		msg.MetaSet("suppressed", "")
		return service.MessageBatch{msg}, s.ns.PutTTL(ctx, key, nil, s.negativeTTL)
	case err != nil:
		return nil, err
	}
	msg.MetaSet("suppressed", reason.String)
	return service.MessageBatch{msg}, s.ns.PutTTL(ctx, key, []byte(reason.String), s.positiveTTL)
}

func (s *suppressLookup) Close(context.Context) error { return s.db.Close() }

func dedupeSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Drops send requests whose idempotency id was already accepted.").
		Field(service.NewStringField("cache")).
		Field(service.NewDurationField("window").Default("24h"))
}

type dedupe struct {
	cache  service.Cache
	window time.Duration
}

func newDedupe(conf *service.ParsedConfig, res *service.Resources) (service.Processor, error) {
	name, err := conf.FieldString("cache")
	if err != nil {
		return nil, err
	}
	v, ok := res.Get("cache:" + name)
	if !ok {
		return nil, fmt.Errorf("dedupe_sends: no cache %q", name)
	}
	window, err := conf.FieldDuration("window")
	if err != nil {
		return nil, err
	}
	return &dedupe{cache: v.(service.Cache), window: window}, nil
}

func (d *dedupe) Process(ctx context.Context, msg *service.Message) (service.MessageBatch, error) {
	id, ok := msg.MetaGet("message_id")
	if !ok {
		return service.MessageBatch{msg}, nil
	}
	err := d.cache.Add(ctx, "send:"+id, []byte(time.Now().UTC().Format(time.RFC3339)), &d.window)
	if errors.Is(err, service.ErrKeyAlreadyExists) {
		return nil, nil
	}
	return service.MessageBatch{msg}, err
}

func (d *dedupe) Close(context.Context) error { return nil }

func templateSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Fetches rendered templates from the template service, caching them in KV.").
		Field(service.NewStringField("namespace")).
		Field(service.NewStringField("endpoint"))
}

type templateCache struct {
	ns       *kvstore.Namespace
	endpoint string
	client   *http.Client
}

func newTemplateCache(conf *service.ParsedConfig, res *service.Resources) (service.Processor, error) {
	ns, err := namespace(conf, res)
	if err != nil {
		return nil, err
	}
	ep, err := conf.FieldString("endpoint")
	if err != nil {
		return nil, err
	}
	return &templateCache{ns: ns, endpoint: ep, client: &http.Client{Timeout: 10 * time.Second}}, nil
}

func (t *templateCache) Process(ctx context.Context, msg *service.Message) (service.MessageBatch, error) {
	tmpl, _ := msg.MetaGet("template_id")
	version, _ := msg.MetaGet("template_version")
	key := "tmpl:" + tmpl + "@" + version

	raw, _ := t.ns.API.GetWorkersKV(ctx, t.ns.Account, cloudflare.GetWorkersKVParams{NamespaceID: t.ns.ID, Key: key})
	if len(raw) > 0 { // EXPECT kvnull
		msg.SetBytes(raw)
		return service.MessageBatch{msg}, nil
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.endpoint+"/templates/"+tmpl+"/versions/"+version, nil)
	if err != nil {
		return nil, err
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	maxAge := 5 * time.Minute
	if cc := resp.Header.Get("Cache-Control"); strings.HasPrefix(cc, "max-age=") {
		if secs, err := strconv.Atoi(strings.TrimPrefix(cc, "max-age=")); err == nil {
			maxAge = time.Duration(secs) * time.Second
		}
	}
	msg.SetBytes(body)
	return service.MessageBatch{msg}, t.ns.PutCached(ctx, key, body, maxAge)
}

func (t *templateCache) Close(context.Context) error { return nil }
