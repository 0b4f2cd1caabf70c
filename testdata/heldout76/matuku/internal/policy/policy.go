// Package policy holds per-user access policies for internal tools and the
// evaluator that turns a request into an allow/deny decision.
package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"matuku/internal/kvstore"
)

// Effect is the outcome of a rule.
type Effect string

const (
	Allow Effect = "allow"
	Deny  Effect = "deny"
)

// Rule grants or refuses a set of methods on a host and path pattern.
type Rule struct {
	Host    string   `json:"host"`
	Path    string   `json:"path"` // path.Match pattern, "/admin/*"
	Methods []string `json:"methods,omitempty"`
	Effect  Effect   `json:"effect"`
	MFA     bool     `json:"mfa,omitempty"`
}

// Policy is a user's compiled policy: their own rules plus their groups'.
type Policy struct {
	Subject   string    `json:"sub"`
	Groups    []string  `json:"groups"`
	Rules     []Rule    `json:"rules"`
	Version   int       `json:"version"`
	MaxAge    int       `json:"max_age_s"` // decision cache hint, seconds
	CreatedAt time.Time `json:"created_at"`
}

// Directory is the identity provider the policies are compiled from.
type Directory interface {
	UserPolicy(ctx context.Context, sub string) (*Policy, error)
}

// Input is what the evaluator needs about one request.
type Input struct {
	Subject string
	Method  string
	Host    string
	Path    string
	MFA     bool
}

// Decision is an evaluated outcome.
type Decision struct {
	Effect  Effect `json:"effect"`
	Reason  string `json:"reason"`
	Version int    `json:"v"`
	MaxAge  int    `json:"max_age_s"`
}

// Evaluator loads policies through KV and evaluates them.
type Evaluator struct {
	KV        *kvstore.Store
	Directory Directory
}

const (
	policyPrefix = "policy:user:"
	versionKey   = "policy:version"
	policyTTL    = 10 * time.Minute
)

// Load returns sub's policy, compiling it from the directory on a miss.
func (e *Evaluator) Load(ctx context.Context, sub string) (*Policy, error) {
	key := policyPrefix + sub
	raw, err := e.KV.Get(ctx, key)
	if err == nil {
		var p Policy
		if jerr := json.Unmarshal(raw, &p); jerr == nil {
			return &p, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	p, err := e.Directory.UserPolicy(ctx, sub)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := e.KV.Put(ctx, key, b, policyTTL); err != nil {
		return nil, err
	}
	return p, nil
}

// Evaluate applies p to in. Deny rules win; no match is a deny.
func Evaluate(p *Policy, in Input) Decision {
	d := Decision{Effect: Deny, Reason: "no matching rule", Version: p.Version, MaxAge: p.MaxAge}
	for _, r := range p.Rules {
		if r.Host != "*" && !strings.EqualFold(r.Host, in.Host) {
			continue
		}
		if ok, _ := path.Match(r.Path, in.Path); !ok && !strings.HasPrefix(in.Path, strings.TrimSuffix(r.Path, "*")) {
			continue
		}
		if len(r.Methods) > 0 && !slices.Contains(r.Methods, in.Method) {
			continue
		}
		if r.Effect == Deny {
			return Decision{Effect: Deny, Reason: "denied by rule " + r.Path, Version: p.Version, MaxAge: p.MaxAge}
		}
		if r.MFA && !in.MFA {
			d = Decision{Effect: Deny, Reason: "step-up required", Version: p.Version, MaxAge: p.MaxAge}
			continue
		}
		d = Decision{Effect: Allow, Reason: "rule " + r.Path, Version: p.Version, MaxAge: p.MaxAge}
	}
	return d
}

// Publish stores an administrator-edited policy and advances the global
// policy version that decision-cache keys embed, so cached decisions made under
// older policies stop matching.
func (e *Evaluator) Publish(ctx context.Context, p *Policy) error {
	v, err := e.Version(ctx)
	if err != nil {
		return err
	}
	p.Version = v + 1
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := e.KV.Put(ctx, policyPrefix+p.Subject, b, policyTTL); err != nil {
		return err
	}
	return e.KV.Put(ctx, versionKey, []byte(strconv.Itoa(p.Version)), 0) // EXPECT kvrace|kvcounter
}

// Version returns the global policy version (0 before the first publish).
func (e *Evaluator) Version(ctx context.Context) (int, error) {
	raw, err := e.KV.Get(ctx, versionKey)
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Invalidate drops sub's compiled policy so the next request recompiles it.
func (e *Evaluator) Invalidate(ctx context.Context, sub string) error {
	return e.KV.Delete(ctx, policyPrefix+sub)
}
