// Package components holds the pipeline plugins that talk to Workers KV
// from the backend: caches, rate limits, processors and outputs.
package components

import (
	"errors"
	"fmt"

	"github.com/postmarkly/kaka/internal/kvstore"
	"github.com/postmarkly/kaka/internal/service"
)

// Register adds every backend KV component to env.
func Register(env *service.Environment) error {
	return errors.Join(
		env.RegisterCache("cloudflare_kv", kvCacheSpec(), newKVCache),
		env.RegisterRateLimit("kv_rate_limit", rateLimitSpec(), newKVRateLimit),
		env.RegisterBatchProcessor("bounce_tracker", bounceSpec(), newBounceTracker),
		env.RegisterBatchProcessor("domain_quota", quotaSpec(), newDomainQuota),
		env.RegisterBatchProcessor("quota_gate", quotaGateSpec(), newQuotaGate),
		env.RegisterProcessor("suppression_lookup", suppressLookupSpec(), newSuppressLookup),
		env.RegisterProcessor("dedupe_sends", dedupeSpec(), newDedupe),
		env.RegisterProcessor("template_cache", templateSpec(), newTemplateCache),
		env.RegisterOutput("cloudflare_kv", kvOutputSpec(), newKVOutput),
		env.RegisterOutput("kv_watermark", watermarkSpec(), newWatermark),
	)
}

// namespace resolves the namespace named by the component's "namespace"
// field from the shared resources.
func namespace(conf *service.ParsedConfig, res *service.Resources) (*kvstore.Namespace, error) {
	name, err := conf.FieldString("namespace")
	if err != nil {
		return nil, err
	}
	v, ok := res.Get("kv:" + name)
	if !ok {
		return nil, fmt.Errorf("no KV namespace resource %q", name)
	}
	ns, ok := v.(*kvstore.Namespace)
	if !ok {
		return nil, fmt.Errorf("resource %q is %T, not a KV namespace", name, v)
	}
	return ns, nil
}
