// Package flags serves storefront feature flags through OpenFeature. Flag
// definitions live in KV under flag:<key> and are read on each evaluation,
// so a change made in the dashboard reaches every region within a minute.
package flags

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/open-feature/go-sdk/openfeature"

	"bullfinch/internal/kv"
)

// Definition is the stored form of a flag.
type Definition struct {
	Key      string          `json:"key"`
	Enabled  bool            `json:"enabled"`
	Variants map[string]any  `json:"variants"`
	Default  string          `json:"default"`
	Rules    []Rule          `json:"rules,omitempty"`
	Rollout  *Rollout        `json:"rollout,omitempty"`
	Meta     map[string]any  `json:"meta,omitempty"`
	Raw      json.RawMessage `json:"-"`
}

// Rule serves Variant when the context attribute equals one of Values.
type Rule struct {
	Attribute string   `json:"attribute"`
	Values    []string `json:"values"`
	Variant   string   `json:"variant"`
}

// Rollout serves Variant to Percent of targeting keys.
type Rollout struct {
	Variant string `json:"variant"`
	Percent int    `json:"percent"`
	Step    int    `json:"step,omitempty"`
}

// Provider is an openfeature.FeatureProvider backed by KV.
type Provider struct {
	ns    *kv.Namespace
	hooks []openfeature.Hook
}

var _ openfeature.FeatureProvider = (*Provider)(nil)

// NewProvider returns a provider reading flags from ns.
func NewProvider(ns *kv.Namespace, hooks ...openfeature.Hook) *Provider {
	return &Provider{ns: ns, hooks: hooks}
}

func flagKey(key string) string { return "flag:" + key }

func (p *Provider) Metadata() openfeature.Metadata { return openfeature.Metadata{Name: "bullfinch-kv"} }
func (p *Provider) Hooks() []openfeature.Hook      { return p.hooks }

func (p *Provider) load(ctx context.Context, key string) (*Definition, error) {
	raw, err := p.ns.Get(ctx, flagKey(key))
	if err != nil {
		return nil, err
	}
	var d Definition
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	d.Raw = raw
	return &d, nil
}

// resolve picks a variant for the evaluation context.
func (p *Provider) resolve(ctx context.Context, key string, flat openfeature.FlattenedContext) (any, openfeature.ProviderResolutionDetail) {
	d, err := p.load(ctx, key)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, openfeature.ProviderResolutionDetail{
			ResolutionError: openfeature.NewFlagNotFoundResolutionError(key),
			Reason:          openfeature.ErrorReason,
		}
	}
	if err != nil {
		return nil, openfeature.ProviderResolutionDetail{
			ResolutionError: openfeature.NewGeneralResolutionError(err.Error()),
			Reason:          openfeature.ErrorReason,
		}
	}
	if !d.Enabled {
		return d.Variants[d.Default], openfeature.ProviderResolutionDetail{Reason: openfeature.DisabledReason, Variant: d.Default}
	}
	for _, r := range d.Rules {
		if v, ok := flat[r.Attribute].(string); ok {
			for _, want := range r.Values {
				if v == want {
					return d.Variants[r.Variant], openfeature.ProviderResolutionDetail{Reason: openfeature.TargetingMatchReason, Variant: r.Variant}
				}
			}
		}
	}
	if d.Rollout != nil {
		tk, _ := flat[openfeature.TargetingKey].(string)
		if tk == "" {
			return d.Variants[d.Default], openfeature.ProviderResolutionDetail{
				ResolutionError: openfeature.NewTargetingKeyMissingResolutionError(key),
				Reason:          openfeature.DefaultReason, Variant: d.Default,
			}
		}
		if bucket(key, tk) < d.Rollout.Percent {
			return d.Variants[d.Rollout.Variant], openfeature.ProviderResolutionDetail{Reason: openfeature.SplitReason, Variant: d.Rollout.Variant}
		}
	}
	return d.Variants[d.Default], openfeature.ProviderResolutionDetail{Reason: openfeature.DefaultReason, Variant: d.Default}
}

func bucket(flag, tk string) int {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%s", flag, tk)
	return int(h.Sum32() % 100)
}

func typed[T any](v any, d openfeature.ProviderResolutionDetail, def T) openfeature.GenericResolutionDetail[T] {
	if d.ResolutionError != (openfeature.ResolutionError{}) && v == nil {
		return openfeature.GenericResolutionDetail[T]{Value: def, ProviderResolutionDetail: d}
	}
	t, ok := v.(T)
	if !ok {
		return openfeature.GenericResolutionDetail[T]{Value: def, ProviderResolutionDetail: openfeature.ProviderResolutionDetail{
			ResolutionError: openfeature.NewTypeMismatchResolutionError(fmt.Sprintf("variant %q has type %T", d.Variant, v)),
			Reason:          openfeature.ErrorReason,
		}}
	}
	return openfeature.GenericResolutionDetail[T]{Value: t, ProviderResolutionDetail: d}
}

func (p *Provider) BooleanEvaluation(ctx context.Context, flag string, def bool, flat openfeature.FlattenedContext) openfeature.BoolResolutionDetail {
	v, d := p.resolve(ctx, flag, flat)
	return typed(v, d, def)
}

func (p *Provider) StringEvaluation(ctx context.Context, flag string, def string, flat openfeature.FlattenedContext) openfeature.StringResolutionDetail {
	v, d := p.resolve(ctx, flag, flat)
	return typed(v, d, def)
}

func (p *Provider) FloatEvaluation(ctx context.Context, flag string, def float64, flat openfeature.FlattenedContext) openfeature.FloatResolutionDetail {
	v, d := p.resolve(ctx, flag, flat)
	return typed(v, d, def)
}

func (p *Provider) IntEvaluation(ctx context.Context, flag string, def int64, flat openfeature.FlattenedContext) openfeature.IntResolutionDetail {
	v, d := p.resolve(ctx, flag, flat)
	if f, ok := v.(float64); ok {
		v = int64(f)
	}
	return typed(v, d, def)
}

func (p *Provider) ObjectEvaluation(ctx context.Context, flag string, def any, flat openfeature.FlattenedContext) openfeature.InterfaceResolutionDetail {
	v, d := p.resolve(ctx, flag, flat)
	return typed(v, d, def)
}
