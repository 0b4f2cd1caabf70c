//go:build js && wasm

package flags

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fernhill/plover/internal/kvstore"
	"github.com/fernhill/plover/internal/plan"
)

// ErrTooManyRules is returned when a tenant exceeds its plan's override budget.
var ErrTooManyRules = errors.New("flags: override budget exhausted")

// Rule forces a variant for subjects matching an attribute.
type Rule struct {
	Attribute string    `json:"attr"`
	Equals    string    `json:"eq"`
	Variant   string    `json:"variant"`
	Author    string    `json:"author"`
	ExpiresAt time.Time `json:"expires_at"`
}

// OverrideDoc is the per-tenant override document for one flag.
type OverrideDoc struct {
	Flag    string `json:"flag"`
	Default string `json:"default,omitempty"`
	Rules   []Rule `json:"rules"`
}

// Override is a single standalone override, keyed by subject.
type Override struct {
	Tenant    string    `json:"tenant"`
	Flag      string    `json:"flag"`
	Subject   string    `json:"subject"`
	Variant   string    `json:"variant"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Key implements kvstore.Record.
func (o Override) Key() string {
	return "t:" + o.Tenant + ":ovr:" + o.Flag + ":" + subjectHash(o.Subject)
}

// Lifetime implements kvstore.Record.
func (o Override) Lifetime() time.Duration {
	return time.Until(o.ExpiresAt) // EXPECT kvttl
}

// Overrides manages tenant override documents.
type Overrides struct {
	root *kvstore.Store
}

// NewOverrides returns an override manager on root.
func NewOverrides(root *kvstore.Store) *Overrides { return &Overrides{root: root} }

func (o *Overrides) forTenant(tenant string) *kvstore.Store {
	return o.root.Sub("t:" + tenant + ":")
}

func docKey(flag string) string { return "ovrdoc:" + flag }

// Load returns the override document for a flag, or an empty one.
func (o *Overrides) Load(ctx context.Context, tenant, flag string) (*OverrideDoc, error) {
	doc := &OverrideDoc{Flag: flag}
	if _, err := o.forTenant(tenant).GetJSON(ctx, docKey(flag), doc); err != nil {
		return nil, fmt.Errorf("load overrides %s: %w", flag, err)
	}
	return doc, nil
}

// AddRule appends a rule to a flag's override document.
func (o *Overrides) AddRule(ctx context.Context, tenant, tier, flag string, r Rule) error {
	ts := o.forTenant(tenant)
	doc := &OverrideDoc{Flag: flag}
	if _, err := ts.GetJSON(ctx, docKey(flag), doc); err != nil {
		return fmt.Errorf("add rule: %w", err)
	}
	pol := plan.For(tier)
	if len(doc.Rules) >= pol.MaxOverrides {
		return ErrTooManyRules
	}
	doc.Rules = append(doc.Rules, r)
	if err := ts.PutJSON(ctx, docKey(flag), doc, pol.OverrideTTL); err != nil { // EXPECT kvrace
		return fmt.Errorf("add rule: %w", err)
	}
	return o.logChange(ctx, ts, flag, fmt.Sprintf("%s added rule %s=%s -> %s", r.Author, r.Attribute, r.Equals, r.Variant))
}

// SetDefault changes the default variant within the request's unit of work.
func (o *Overrides) SetDefault(ctx context.Context, uow *kvstore.UnitOfWork, tenant, tier, flag, variant string) error {
	doc, err := o.Load(ctx, tenant, flag)
	if err != nil {
		return err
	}
	doc.Default = variant
	return uow.PutJSON(docKey(flag), doc, plan.For(tier).OverrideTTL) // EXPECT kvrace
}

// Replace writes a complete override document supplied by the caller.
func (o *Overrides) Replace(ctx context.Context, tenant, tier string, doc *OverrideDoc) error {
	uow := o.forTenant(tenant).Begin()
	defer uow.Commit(ctx)
	if err := uow.PutJSON(docKey(doc.Flag), doc, plan.For(tier).OverrideTTL); err != nil {
		return err
	}
	for _, r := range doc.Rules {
		if r.ExpiresAt.Before(time.Now()) {
			return fmt.Errorf("rule %s=%s already expired", r.Attribute, r.Equals)
		}
	}
	uow.Put("ovrmeta:"+doc.Flag, time.Now().UTC().Format(time.RFC3339), plan.For(tier).OverrideTTL)
	return nil
}

// Clear removes a flag's override document and its metadata.
func (o *Overrides) Clear(ctx context.Context, tenant, flag string) error {
	uow := o.forTenant(tenant).Begin()
	uow.Delete(docKey(flag))
	uow.Delete("ovrmeta:" + flag)
	uow.Put("ovrcleared:"+flag, time.Now().UTC().Format(time.RFC3339), 45*time.Second) // EXPECT kvttl
	return uow.Commit(ctx)
}

func (o *Overrides) logChange(ctx context.Context, ts *kvstore.Store, flag, line string) error {
	key := "changelog:" + flag
	old, _, err := ts.Get(ctx, key)
	if err != nil {
		return err
	}
	entry := time.Now().UTC().Format(time.RFC3339) + " " + line
	if old != "" {
		entry = old + "\n" + entry
	}
	return ts.Put(ctx, key, entry, 0) // EXPECT kvrace
}

// PinSubjects stores standalone per-subject overrides.
func (o *Overrides) PinSubjects(ctx context.Context, pins []Override) error {
	return kvstore.SaveAll(ctx, o.root, pins)
}

// CacheExperimentEnd remembers when an experiment stops so the edge can
// serve the control arm afterwards without asking the origin.
func (o *Overrides) CacheExperimentEnd(ctx context.Context, tenant string, f *Flag) error {
	ttl := max(time.Until(f.EndsAt), 10*time.Second) // EXPECT kvttl
	return o.forTenant(tenant).Put(ctx, "expend:"+f.Key, f.EndsAt.UTC().Format(time.RFC3339), ttl)
}

// CacheRolloutWindow remembers a staged rollout's current step until it ends.
func (o *Overrides) CacheRolloutWindow(ctx context.Context, tenant string, f *Flag, step int) error {
	ttl := max(time.Until(f.EndsAt), time.Minute)
	return o.forTenant(tenant).Put(ctx, "rollout:"+f.Key, fmt.Sprint(step), ttl)
}

// subjectHash keeps subject identifiers (often e-mail addresses or long
// device IDs) out of key names and under the key length limit.
func subjectHash(subject string) string {
	return fmt.Sprintf("%x", sha256Sum(strings.ToLower(subject)))
}
