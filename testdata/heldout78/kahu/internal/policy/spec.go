// Package policy expresses sending policies as composable specifications.
// A policy is satisfied when a message may be relayed as submitted.
package policy

import (
	"context"
	"fmt"
	"strings"

	"kahu/internal/mail"
)

// Spec decides whether a message satisfies one sending rule.
type Spec interface {
	IsSatisfiedBy(ctx context.Context, msg *mail.Message) (bool, error)
}

// SpecFunc adapts a function to Spec.
type SpecFunc func(ctx context.Context, msg *mail.Message) (bool, error)

// IsSatisfiedBy calls f.
func (f SpecFunc) IsSatisfiedBy(ctx context.Context, msg *mail.Message) (bool, error) {
	return f(ctx, msg)
}

type andSpec []Spec

func (a andSpec) IsSatisfiedBy(ctx context.Context, msg *mail.Message) (bool, error) {
	for _, s := range a {
		ok, err := s.IsSatisfiedBy(ctx, msg)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

type orSpec []Spec

func (o orSpec) IsSatisfiedBy(ctx context.Context, msg *mail.Message) (bool, error) {
	var firstErr error
	for _, s := range o {
		ok, err := s.IsSatisfiedBy(ctx, msg)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if ok {
			return true, nil
		}
	}
	return false, firstErr
}

type notSpec struct{ inner Spec }

func (n notSpec) IsSatisfiedBy(ctx context.Context, msg *mail.Message) (bool, error) {
	ok, err := n.inner.IsSatisfiedBy(ctx, msg)
	return !ok && err == nil, err
}

// And is satisfied when every spec is.
func And(specs ...Spec) Spec { return andSpec(specs) }

// Or is satisfied when any spec is.
func Or(specs ...Spec) Spec { return orSpec(specs) }

// Not inverts s. An error from s is passed through and never satisfies.
func Not(s Spec) Spec { return notSpec{s} }

// Named is a spec that knows its configuration name, for logs.
type Named struct {
	Name string
	Spec
}

// Build turns a policy expression such as "verified,!blocked,reputation|allowlisted"
// into a spec: commas are AND, pipes are OR, a leading ! negates.
func Build(expr string, registry map[string]Spec) (Spec, error) {
	var all []Spec
	for _, clause := range strings.Split(expr, ",") {
		var anyOf []Spec
		for _, term := range strings.Split(clause, "|") {
			term = strings.TrimSpace(term)
			neg := strings.HasPrefix(term, "!")
			term = strings.TrimPrefix(term, "!")
			s, ok := registry[term]
			if !ok {
				return nil, fmt.Errorf("policy: unknown spec %q", term)
			}
			if neg {
				s = Not(s)
			}
			anyOf = append(anyOf, Named{Name: term, Spec: s})
		}
		if len(anyOf) == 1 {
			all = append(all, anyOf[0])
		} else {
			all = append(all, Or(anyOf...))
		}
	}
	return And(all...), nil
}
