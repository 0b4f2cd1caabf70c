//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/syumai/workers/cloudflare/kv"
)

// flagCacheTTL is how long a PoP may serve a flag definition from cache.
const flagCacheTTL = 15

// flagDefinition is the document stored under flags/def/<name>.
type flagDefinition struct {
	Enabled        bool           `json:"enabled"`
	DefaultVariant string         `json:"default_variant"`
	Variants       map[string]any `json:"variants"`
	Rules          []flagRule     `json:"rules"`
	RolloutPercent int            `json:"rollout_percent"`
	RolloutVariant string         `json:"rollout_variant"`
}

type flagRule struct {
	Attribute string   `json:"attribute"`
	In        []string `json:"in"`
	Variant   string   `json:"variant"`
}

// KVProvider is an OpenFeature provider that reads flag definitions from KV
// on every evaluation.
type KVProvider struct {
	ns *kv.Namespace
}

var _ openfeature.FeatureProvider = (*KVProvider)(nil)

// NewKVProvider returns a provider over ns.
func NewKVProvider(ns *kv.Namespace) *KVProvider { return &KVProvider{ns: ns} }

func (p *KVProvider) Metadata() openfeature.Metadata { return openfeature.Metadata{Name: "portal-kv"} }

func (p *KVProvider) Hooks() []openfeature.Hook { return nil }

func (p *KVProvider) load(flag string) (*flagDefinition, *openfeature.ResolutionError) {
	raw, err := p.ns.GetString("flags/def/"+flag, &kv.GetOptions{ // EXPECT kvnull
		CacheTTL: flagCacheTTL, // EXPECT kvttl
	})
	if err != nil {
		e := openfeature.NewGeneralResolutionError(err.Error())
		return nil, &e
	}
	var def flagDefinition
	if err := json.Unmarshal([]byte(raw), &def); err != nil {
		e := openfeature.NewParseErrorResolutionError(err.Error())
		return nil, &e
	}
	return &def, nil
}

// resolve picks a variant for the evaluation context.
func (p *KVProvider) resolve(flag string, flatCtx openfeature.FlattenedContext) (any, openfeature.ProviderResolutionDetail) {
	def, rerr := p.load(flag)
	if rerr != nil {
		return nil, openfeature.ProviderResolutionDetail{ResolutionError: *rerr, Reason: openfeature.ErrorReason}
	}
	if !def.Enabled {
		return nil, openfeature.ProviderResolutionDetail{Reason: openfeature.DisabledReason}
	}
	for _, rule := range def.Rules {
		if v, ok := flatCtx[rule.Attribute].(string); ok && slices.Contains(rule.In, v) {
			return def.Variants[rule.Variant], openfeature.ProviderResolutionDetail{Reason: openfeature.TargetingMatchReason, Variant: rule.Variant}
		}
	}
	if tk, ok := flatCtx[openfeature.TargetingKey].(string); ok && def.RolloutPercent > 0 {
		h := fnv.New32a()
		h.Write([]byte(flag + "/" + tk))
		if int(h.Sum32()%100) < def.RolloutPercent {
			return def.Variants[def.RolloutVariant], openfeature.ProviderResolutionDetail{Reason: openfeature.SplitReason, Variant: def.RolloutVariant}
		}
	}
	return def.Variants[def.DefaultVariant], openfeature.ProviderResolutionDetail{Reason: openfeature.StaticReason, Variant: def.DefaultVariant}
}

func resolveAs[T any](p *KVProvider, flag string, dflt T, flatCtx openfeature.FlattenedContext) openfeature.GenericResolutionDetail[T] {
	v, detail := p.resolve(flag, flatCtx)
	if v == nil {
		return openfeature.GenericResolutionDetail[T]{Value: dflt, ProviderResolutionDetail: detail}
	}
	typed, ok := v.(T)
	if !ok {
		detail.ResolutionError = openfeature.NewTypeMismatchResolutionError(fmt.Sprintf("variant is %T", v))
		detail.Reason = openfeature.ErrorReason
		return openfeature.GenericResolutionDetail[T]{Value: dflt, ProviderResolutionDetail: detail}
	}
	return openfeature.GenericResolutionDetail[T]{Value: typed, ProviderResolutionDetail: detail}
}

func (p *KVProvider) BooleanEvaluation(_ context.Context, flag string, d bool, fc openfeature.FlattenedContext) openfeature.BoolResolutionDetail {
	return resolveAs(p, flag, d, fc)
}

func (p *KVProvider) StringEvaluation(_ context.Context, flag string, d string, fc openfeature.FlattenedContext) openfeature.StringResolutionDetail {
	return resolveAs(p, flag, d, fc)
}

func (p *KVProvider) FloatEvaluation(_ context.Context, flag string, d float64, fc openfeature.FlattenedContext) openfeature.FloatResolutionDetail {
	return resolveAs(p, flag, d, fc)
}

func (p *KVProvider) IntEvaluation(_ context.Context, flag string, d int64, fc openfeature.FlattenedContext) openfeature.IntResolutionDetail {
	r := resolveAs(p, flag, float64(d), fc) // JSON numbers decode as float64
	return openfeature.IntResolutionDetail{Value: int64(r.Value), ProviderResolutionDetail: r.ProviderResolutionDetail}
}

func (p *KVProvider) ObjectEvaluation(_ context.Context, flag string, d any, fc openfeature.FlattenedContext) openfeature.InterfaceResolutionDetail {
	return resolveAs(p, flag, d, fc)
}

// exposureHook records, once per user and flag, which variant a user saw,
// for the experiment reports.
type exposureHook struct {
	openfeature.UnimplementedHook
	ns *kv.Namespace
}

func (h exposureHook) After(_ context.Context, hc openfeature.HookContext, d openfeature.InterfaceEvaluationDetails, _ openfeature.HookHints) error {
	tk := hc.EvaluationContext().TargetingKey()
	if tk == "" || d.Variant == "" {
		return nil
	}
	key := "flags/exposure/" + hc.FlagKey() + "/" + tk
	if v, err := h.ns.GetString(key, nil); err == nil && !missing(v) {
		return nil
	}
	return h.ns.PutString(key, d.Variant, &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600}) // DEBATABLE kvrace
}

// statsHook keeps evaluation statistics for the flag dashboard.
type statsHook struct {
	openfeature.UnimplementedHook
	ns *kv.Namespace
}

func (h statsHook) Finally(_ context.Context, hc openfeature.HookContext, d openfeature.InterfaceEvaluationDetails, _ openfeature.HookHints) {
	key := "flags/stats/" + hc.FlagKey() + "/hits"
	n := 0
	if v, err := h.ns.GetString(key, nil); err == nil && !missing(v) {
		n, _ = strconv.Atoi(v)
	}
	_ = h.ns.PutString(key, strconv.Itoa(n+1), nil)                                                          // EXPECT kvcounter|kvrace
	_ = h.ns.PutString("flags/last-evaluation", hc.FlagKey()+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
}

// NewFlagClient registers the provider and hooks and returns a client.
func NewFlagClient(ns *kv.Namespace) *openfeature.Client {
	_ = openfeature.SetProvider(NewKVProvider(ns))
	c := openfeature.NewClient("edge")
	c.AddHooks(exposureHook{ns: ns}, statsHook{ns: ns})
	return c
}

// toggleFlag flips a flag's enabled bit from the portal's admin screen.
func toggleFlag(w http.ResponseWriter, r *http.Request) {
	ns, err := namespace()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if s, _, ok := loadSession(ns, r); !ok || s.Tenant != "portwell" {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	key := "flags/def/" + r.PathValue("name")
	raw, err := ns.GetString(key, nil)
	if err != nil || missing(raw) {
		http.NotFound(w, r)
		return
	}
	var def flagDefinition
	if err := json.Unmarshal([]byte(raw), &def); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	def.Enabled = r.FormValue("enabled") == "true"
	if pct := r.FormValue("rollout"); pct != "" {
		def.RolloutPercent, _ = strconv.Atoi(pct)
	}
	buf, _ := json.Marshal(def)
	if err := ns.PutString(key, string(buf), nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
