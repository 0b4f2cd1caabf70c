// Package rbac holds the role-based access policies of the management API:
// casbin rules persisted in KV, one key per policy type ("p", "g", "g2"),
// each a JSON array of rules.
package rbac

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"go.opentelemetry.io/otel"

	"github.com/ruffgate/ruff/internal/kv"
)

var tracer = otel.Tracer("github.com/ruffgate/ruff/internal/rbac")

// modelText is RBAC with domains: a subject has roles inside a tenant, roles
// grant actions on objects, and g2 groups objects (hostname groups).
const modelText = `
[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
g2 = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && (keyMatch2(r.obj, p.obj) || g2(r.obj, p.obj)) && r.act == p.act
`

// Adapter implements persist.Adapter.
type Adapter struct {
	ns     *kv.Namespace
	prefix string
}

var _ persist.Adapter = (*Adapter)(nil)

func NewAdapter(ns *kv.Namespace, prefix string) *Adapter { return &Adapter{ns: ns, prefix: prefix} }

// NewEnforcer builds the API's enforcer with auto-save and loads the policy.
func NewEnforcer(a *Adapter) (*casbin.Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewEnforcer(m, a)
	if err != nil {
		return nil, err
	}
	e.EnableAutoSave(true)
	return e, nil
}

func (a *Adapter) load(ctx context.Context, ptype string) ([][]string, error) {
	raw, err := a.ns.Get(ctx, a.prefix+ptype)
	if errors.Is(err, kv.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rules [][]string
	return rules, json.Unmarshal(raw, &rules)
}

// LoadPolicy implements persist.Adapter.
func (a *Adapter) LoadPolicy(m model.Model) error {
	ctx, span := tracer.Start(context.Background(), "rbac.load")
	defer span.End()

	for _, sec := range []string{"p", "g"} {
		for ptype := range m[sec] {
			rules, err := a.load(ctx, ptype)
			if err != nil {
				return err
			}
			for _, rule := range rules {
				if err := persist.LoadPolicyArray(append([]string{ptype}, rule...), m); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// SavePolicy implements persist.Adapter.
func (a *Adapter) SavePolicy(m model.Model) error {
	ctx, span := tracer.Start(context.Background(), "rbac.save")
	defer span.End()

	for _, sec := range []string{"p", "g"} {
		for _, ast := range m[sec] {
			raw, err := json.Marshal(ast.Policy)
			if err != nil {
				return err
			}
			if err := a.ns.Put(ctx, a.prefix+sec, raw, 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
	}
	return nil
}

// AddPolicy implements persist.Adapter.
func (a *Adapter) AddPolicy(sec string, ptype string, rule []string) error {
	ctx, span := tracer.Start(context.Background(), "rbac.add")
	defer span.End()

	rules, err := a.load(ctx, ptype)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(append(rules, rule))
	return a.ns.Put(ctx, a.prefix+ptype, raw, 0) // EXPECT kvrace
}

// RemovePolicy implements persist.Adapter.
func (a *Adapter) RemovePolicy(sec string, ptype string, rule []string) error {
	return a.rewrite(ptype, func(r []string) bool { return slices.Equal(r, rule) })
}

// RemoveFilteredPolicy implements persist.Adapter.
func (a *Adapter) RemoveFilteredPolicy(sec string, ptype string, fieldIndex int, fieldValues ...string) error {
	return a.rewrite(ptype, func(r []string) bool {
		for i, v := range fieldValues {
			if v != "" && (fieldIndex+i >= len(r) || r[fieldIndex+i] != v) {
				return false
			}
		}
		return true
	})
}

// rewrite drops the rules of ptype for which drop returns true.
func (a *Adapter) rewrite(ptype string, drop func([]string) bool) error {
	ctx, span := tracer.Start(context.Background(), "rbac.rewrite")
	defer span.End()

	rules, err := a.load(ctx, ptype)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(slices.DeleteFunc(rules, drop))
	return a.ns.Put(ctx, a.prefix+ptype, raw, 0) // EXPECT kvrace
}
