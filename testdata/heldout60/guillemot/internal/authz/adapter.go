// Package authz stores the forum's moderation and admin policy (casbin) in
// Workers KV, one JSON list of rules per policy type.
package authz

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/forumworks/guillemot/internal/kv"
)

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/authz")

// Model is the RBAC-with-domains model used by the forum: a subject has a role
// in a category, and roles are granted actions on objects.
const Model = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && keyMatch2(r.obj, p.obj) && r.act == p.act
`

// policyTypes are the types the forum's model defines.
var policyTypes = []string{"p", "g"}

// Adapter implements persist.Adapter.
type Adapter struct {
	ns *kv.Namespace
}

var _ persist.Adapter = (*Adapter)(nil)

// NewAdapter returns an adapter storing rules in ns.
func NewAdapter(ns *kv.Namespace) *Adapter { return &Adapter{ns: ns} }

func ruleKey(ptype string) string { return "casbin:" + ptype }

func (a *Adapter) rules(ctx context.Context, ptype string) ([][]string, error) {
	raw, err := a.ns.Get(ctx, ruleKey(ptype))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rules [][]string
	if err := json.Unmarshal(raw, &rules); err != nil {
		return nil, err
	}
	return rules, nil
}

// LoadPolicy loads all rules into m.
func (a *Adapter) LoadPolicy(m model.Model) error {
	ctx, span := tracer.Start(context.Background(), "authz.load_policy")
	defer span.End()
	for _, ptype := range policyTypes {
		rules, err := a.rules(ctx, ptype)
		if err != nil {
			span.RecordError(err)
			return err
		}
		span.SetAttributes(attribute.Int("casbin.rules."+ptype, len(rules)))
		for _, rule := range rules {
			if err := persist.LoadPolicyArray(append([]string{ptype}, rule...), m); err != nil {
				return err
			}
		}
	}
	return nil
}

// SavePolicy replaces the stored rules with those of m.
func (a *Adapter) SavePolicy(m model.Model) error {
	ctx, span := tracer.Start(context.Background(), "authz.save_policy")
	defer span.End()
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range m[sec] {
			data, err := json.Marshal(ast.Policy)
			if err != nil {
				return err
			}
			if err := a.ns.Put(ctx, ruleKey(ptype), data, 0); err != nil {
				span.RecordError(err)
				return err
			}
		}
	}
	return nil
}

// AddPolicy appends one rule (casbin's auto-save).
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	ctx, span := tracer.Start(context.Background(), "authz.add_policy")
	defer span.End()
	rules, err := a.rules(ctx, ptype)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(rules, func(r []string) bool { return slices.Equal(r, rule) }) {
		return nil
	}
	rules = append(rules, rule)
	data, err := json.Marshal(rules)
	if err != nil {
		return err
	}
	return a.ns.Put(ctx, ruleKey(ptype), data, 0) // EXPECT kvrace
}

// RemovePolicy removes one rule.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	return a.rewrite(ptype, func(r []string) bool { return slices.Equal(r, rule) })
}

// RemoveFilteredPolicy removes the rules whose fields from fieldIndex on
// match fieldValues; empty values match anything.
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	return a.rewrite(ptype, func(r []string) bool {
		for i, v := range fieldValues {
			if v != "" && (fieldIndex+i >= len(r) || r[fieldIndex+i] != v) {
				return false
			}
		}
		return true
	})
}

func (a *Adapter) rewrite(ptype string, drop func([]string) bool) error {
	ctx, span := tracer.Start(context.Background(), "authz.remove_policy")
	defer span.End()
	rules, err := a.rules(ctx, ptype)
	if err != nil {
		return err
	}
	kept := slices.DeleteFunc(rules, drop)
	data, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	return a.ns.Put(ctx, ruleKey(ptype), data, 0) // EXPECT kvrace
}
