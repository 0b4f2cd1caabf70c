package authz

import (
	"fmt"
	"sync"

	"github.com/casbin/casbin/v2"
)

// Grants applies role changes from the admin console to the enforcer.
type Grants struct {
	mu sync.Mutex
	e  *casbin.Enforcer
}

// NewGrants wraps e.
func NewGrants(e *casbin.Enforcer) *Grants { return &Grants{e: e} }

// Allowed reports whether sub may perform act on obj in tenant.
func (g *Grants) Allowed(sub, tenant, obj, act string) bool {
	ok, err := g.e.Enforce(sub, tenant, obj, act)
	return err == nil && ok
}

// Assign gives user each role in tenant.
func (g *Grants) Assign(user, tenant string, roles []string) error {
	for _, role := range roles {
		if _, err := g.e.AddRoleForUser(user, role, tenant); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("authz: assign %s to %s: %w", role, user, err)
		}
	}
	return nil
}

// Revoke removes one role from user in tenant.
func (g *Grants) Revoke(user, tenant, role string) error {
	_, err := g.e.DeleteRoleForUser(user, role, tenant)
	return err
}

// ReplaceTenant replaces every role binding of tenant with bindings
// (user -> roles). The enforcer is changed in memory and the policy saved
// once.
func (g *Grants) ReplaceTenant(tenant string, bindings map[string][]string) error {
	g.mu.Lock()
	defer g.mu.Unlock()

	g.e.EnableAutoSave(false)
	defer g.e.EnableAutoSave(true)

	if _, err := g.e.RemoveFilteredGroupingPolicy(2, tenant); err != nil {
		return err
	}
	for user, roles := range bindings {
		for _, role := range roles {
			if _, err := g.e.AddRoleForUser(user, role, tenant); err != nil {
				return err
			}
		}
	}
	return g.e.SavePolicy()
}
