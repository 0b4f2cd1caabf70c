// Package authz holds the control plane's Casbin model and a persist.Adapter
// that keeps the policy in one KV value, one CSV-style line per rule.
package authz

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"go.opentelemetry.io/otel"

	"github.com/framewell/stilt/internal/kvstore"
)

var tracer = otel.Tracer("stilt/authz")

// policyKey holds the whole policy. It is small (a few hundred rules) and
// read once per replica start.
const policyKey = "authz:policy:v1"

const rbacModel = `
[request_definition]
r = sub, tenant, obj, act

[policy_definition]
p = sub, tenant, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.tenant) && r.tenant == p.tenant && keyMatch2(r.obj, p.obj) && r.act == p.act
`

// Adapter implements persist.Adapter on a KV namespace. Casbin calls it; the
// team's code only hands it to NewEnforcer.
type Adapter struct {
	ns      *kvstore.Namespace
	timeout time.Duration
}

var _ persist.Adapter = (*Adapter)(nil)

// NewEnforcer builds the enforcer and loads the policy from KV.
func NewEnforcer(ns *kvstore.Namespace) (*casbin.Enforcer, error) {
	m, err := model.NewModelFromString(rbacModel)
	if err != nil {
		return nil, err
	}
	return casbin.NewEnforcer(m, &Adapter{ns: ns, timeout: 5 * time.Second})
}

func (a *Adapter) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), a.timeout)
}

func line(ptype string, rule []string) string {
	return ptype + ", " + strings.Join(rule, ", ")
}

// LoadPolicy loads all rules into m.
func (a *Adapter) LoadPolicy(m model.Model) error {
	ctx, cancel := a.ctx()
	defer cancel()
	ctx, span := tracer.Start(ctx, "authz.LoadPolicy")
	defer span.End()

	raw, err := a.ns.Get(ctx, policyKey)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		span.RecordError(err)
		return err
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if err := persist.LoadPolicyLine(l, m); err != nil {
			return fmt.Errorf("authz: policy line %q: %w", l, err)
		}
	}
	return nil
}

// SavePolicy replaces the stored policy with the rules in m.
func (a *Adapter) SavePolicy(m model.Model) error {
	ctx, cancel := a.ctx()
	defer cancel()
	ctx, span := tracer.Start(ctx, "authz.SavePolicy")
	defer span.End()

	var lines []string
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range m[sec] {
			for _, rule := range ast.Policy {
				lines = append(lines, line(ptype, rule))
			}
		}
	}
	sort.Strings(lines)
	return a.ns.Put(ctx, policyKey, []byte(strings.Join(lines, "\n")+"\n"), 0)
}

// AddPolicy appends one rule (Casbin auto-save).
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	ctx, cancel := a.ctx()
	defer cancel()
	ctx, span := tracer.Start(ctx, "authz.AddPolicy")
	defer span.End()

	raw, err := a.ns.Get(ctx, policyKey)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		span.RecordError(err)
		return err
	}
	updated := string(raw) + line(ptype, rule) + "\n"
	return a.ns.Put(ctx, policyKey, []byte(updated), 0) // EXPECT kvrace
}

// RemovePolicy removes one rule (Casbin auto-save).
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	drop := line(ptype, rule)
	return a.rewrite("authz.RemovePolicy", func(l string) bool { return l != drop })
}

// RemoveFilteredPolicy is not used by the studio; roles are replaced
// through Grants.ReplaceTenant, which saves the whole policy.
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	return errors.New("authz: filtered removal not supported")
}

func (a *Adapter) rewrite(op string, keep func(string) bool) error {
	ctx, cancel := a.ctx()
	defer cancel()
	ctx, span := tracer.Start(ctx, op)
	defer span.End()

	raw, err := a.ns.Get(ctx, policyKey)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		span.RecordError(err)
		return err
	}
	var out strings.Builder
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && keep(l) {
			out.WriteString(l)
			out.WriteByte('\n')
		}
	}
	return a.ns.Put(ctx, policyKey, []byte(out.String()), 0) // EXPECT kvrace
}
