// Package flags is the OpenFeature provider for per-clinic feature flags.
// Flag definitions are published to KV by the admin CLI and read on every
// evaluation, so a change reaches every region within about a minute.
package flags

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	of "github.com/open-feature/go-sdk/openfeature"

	"github.com/clinicgroup/wallcreeper/internal/kvstore"
)

// negativeCacheTTL is how long an unknown flag is remembered as unknown.
const negativeCacheTTL = 5 * time.Minute

// Rule sends subjects whose attribute is in Values to Variant.
type Rule struct {
	Attribute string   `json:"attribute"`
	Values    []string `json:"values"`
	Variant   string   `json:"variant"`
}

// Definition is a flag as published to "flags/<clinic>/<key>".
type Definition struct {
	Key            string         `json:"key"`
	Enabled        bool           `json:"enabled"`
	DefaultVariant string         `json:"default_variant"`
	Variants       map[string]any `json:"variants"`
	Rules          []Rule         `json:"rules,omitempty"`
	RolloutPercent int            `json:"rollout_percent,omitempty"`
	RolloutVariant string         `json:"rollout_variant,omitempty"`
	UpdatedBy      string         `json:"updated_by,omitempty"`
}

// Provider implements openfeature.FeatureProvider over KV.
type Provider struct {
	ns    *kvstore.Namespace
	hooks []of.Hook
}

var _ of.FeatureProvider = (*Provider)(nil)

// NewProvider returns a provider reading from ns.
func NewProvider(ns *kvstore.Namespace, hooks ...of.Hook) *Provider {
	return &Provider{ns: ns, hooks: hooks}
}

// Metadata names the provider.
func (p *Provider) Metadata() of.Metadata { return of.Metadata{Name: "wallcreeper-kv"} }

// Hooks returns the provider hooks.
func (p *Provider) Hooks() []of.Hook { return p.hooks }

func flagKey(clinic, key string) string { return fmt.Sprintf("flags/%s/%s", clinic, key) }
func missKey(key string) string         { return "flagmiss/" + key }

func (p *Provider) lookup(ctx context.Context, key string, flat of.FlattenedContext) (*Definition, error) {
	clinic, _ := flat["clinic"].(string)
	for _, scope := range []string{clinic, "_global"} {
		if scope == "" {
			continue
		}
		var def Definition
		err := p.ns.GetJSON(ctx, flagKey(scope, key), &def)
		if err == nil {
			return &def, nil
		}
		if !errors.Is(err, kvstore.ErrNotFound) {
			return nil, err
		}
	}
	p.rememberMiss(ctx, key)
	return nil, kvstore.ErrNotFound
}

// rememberMiss records an unknown flag so the dashboard can list flags that
// code asks for but nobody defined.
func (p *Provider) rememberMiss(ctx context.Context, key string) {
	client, account, nsID := p.ns.Raw()
	_, _ = client.KV.Namespaces.Values.Update(ctx, nsID, missKey(key), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
		ExpirationTTL: cloudflare.F(float64(int(negativeCacheTTL))), // EXPECT kvttl
	})
}

func (p *Provider) resolve(ctx context.Context, key string, flat of.FlattenedContext) (any, of.ProviderResolutionDetail) {
	def, err := p.lookup(ctx, key, flat)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, of.ProviderResolutionDetail{ResolutionError: of.NewFlagNotFoundResolutionError(key), Reason: of.ErrorReason}
	}
	if err != nil {
		return nil, of.ProviderResolutionDetail{ResolutionError: of.NewGeneralResolutionError(err.Error()), Reason: of.ErrorReason}
	}
	if !def.Enabled {
		return nil, of.ProviderResolutionDetail{Reason: of.DisabledReason}
	}
	for _, r := range def.Rules {
		if v, ok := flat[r.Attribute].(string); ok && slices.Contains(r.Values, v) {
			return def.Variants[r.Variant], of.ProviderResolutionDetail{Reason: of.TargetingMatchReason, Variant: r.Variant}
		}
	}
	if def.RolloutPercent > 0 {
		if tk, ok := flat[of.TargetingKey].(string); ok && bucket(key, tk) < def.RolloutPercent {
			return def.Variants[def.RolloutVariant], of.ProviderResolutionDetail{Reason: of.SplitReason, Variant: def.RolloutVariant}
		}
	}
	return def.Variants[def.DefaultVariant], of.ProviderResolutionDetail{Reason: of.StaticReason, Variant: def.DefaultVariant}
}

func bucket(flag, subject string) int {
	h := fnv.New32a()
	h.Write([]byte(flag + "/" + subject))
	return int(h.Sum32() % 100)
}

func typed[T any](p *Provider, ctx context.Context, key string, def T, flat of.FlattenedContext) of.GenericResolutionDetail[T] {
	v, d := p.resolve(ctx, key, flat)
	if v == nil {
		return of.GenericResolutionDetail[T]{Value: def, ProviderResolutionDetail: d}
	}
	if f, ok := v.(float64); ok {
		switch any(def).(type) {
		case int64:
			v = int64(f)
		}
	}
	t, ok := v.(T)
	if !ok {
		return of.GenericResolutionDetail[T]{Value: def, ProviderResolutionDetail: of.ProviderResolutionDetail{
			ResolutionError: of.NewTypeMismatchResolutionError(key), Reason: of.ErrorReason,
		}}
	}
	return of.GenericResolutionDetail[T]{Value: t, ProviderResolutionDetail: d}
}

// BooleanEvaluation resolves a boolean flag.
func (p *Provider) BooleanEvaluation(ctx context.Context, flag string, def bool, flat of.FlattenedContext) of.BoolResolutionDetail {
	return typed(p, ctx, flag, def, flat)
}

// StringEvaluation resolves a string flag.
func (p *Provider) StringEvaluation(ctx context.Context, flag string, def string, flat of.FlattenedContext) of.StringResolutionDetail {
	return typed(p, ctx, flag, def, flat)
}

// FloatEvaluation resolves a float flag.
func (p *Provider) FloatEvaluation(ctx context.Context, flag string, def float64, flat of.FlattenedContext) of.FloatResolutionDetail {
	return typed(p, ctx, flag, def, flat)
}

// IntEvaluation resolves an integer flag.
func (p *Provider) IntEvaluation(ctx context.Context, flag string, def int64, flat of.FlattenedContext) of.IntResolutionDetail {
	return typed(p, ctx, flag, def, flat)
}

// ObjectEvaluation resolves a structured flag.
func (p *Provider) ObjectEvaluation(ctx context.Context, flag string, def any, flat of.FlattenedContext) of.InterfaceResolutionDetail {
	v, d := p.resolve(ctx, flag, flat)
	if v == nil {
		v = def
	}
	return of.InterfaceResolutionDetail{Value: v, ProviderResolutionDetail: d}
}

// Encode is used by the admin tooling to publish definitions.
func Encode(d Definition) (string, error) {
	b, err := json.Marshal(d)
	return string(b), err
}
